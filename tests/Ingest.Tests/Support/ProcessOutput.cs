using System.Diagnostics;
using System.Text;

namespace Ingest.Tests.Support;

/// <summary>What a child process writes to stdout and stderr, kept up to a bound, for assertion messages.</summary>
internal sealed class ProcessOutput
{
    private readonly int _maxChars;
    private readonly StringBuilder _text = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _awaited = [];

    /// <summary>Starts reading both redirected streams of <paramref name="process"/>.</summary>
    public ProcessOutput(Process process, int maxChars = 64 * 1024)
    {
        _maxChars = maxChars;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Completes when a line containing <paramref name="text"/> has been written (at once if one was).</summary>
    public Task LineAsync(string text)
    {
        lock (_text)
        {
            if (_text.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited.Add((text, seen));
            return seen.Task;
        }
    }

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_text)
        {
            if (_text.Length < _maxChars)
            {
                _text.AppendLine(line);
            }

            foreach (var awaited in _awaited.Where(a => line.Contains(a.Text, StringComparison.Ordinal)).ToList())
            {
                awaited.Seen.TrySetResult();
                _awaited.Remove(awaited);
            }
        }
    }
}
