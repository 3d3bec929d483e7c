using System.Text;
using ZstdSharp;

namespace Ingest.Storage.Details;

/// <summary>
/// The producer's side of the details' per-day zstd dictionaries (issue 29). The writer registers each day it writes
/// that has a dictionary table (made by this version) with the dictionaries already stored there; from then on the
/// producer, preparing a record of that day, either compresses its details with the day's dictionary or, while the
/// day has none, keeps a copy of them as a training sample. When the sample holds <see cref="SampleBytes"/>, a
/// dictionary is trained off-thread (never on the producer's nor the flush thread) and used from the next record on;
/// until then rows are stored raw. Thread-safe.
/// </summary>
/// <remarks>
/// Caps: the sample per day in bytes, the dictionaries held in bytes (the oldest day's goes first, counted, and that
/// day's rows are stored raw from then on), the days tracked in number. No SQLite here: the writer stores a
/// dictionary in the transaction of the first row compressed with it (<see cref="DictionaryOfDay.Stored"/>).
/// </remarks>
public sealed class DetailCompression
{
    /// <summary>Sample per day: zstd's guidance is about a hundred times the dictionary, in many small samples.</summary>
    public const long DefaultSampleBytes = 1 << 20;

    /// <summary>Dictionary size: 16 KiB took the spike capture's details from 294 to 86 bytes a row (flush-after.md).</summary>
    public const int DefaultDictionaryBytes = 16 << 10;

    /// <summary>Dictionaries held by the producer, all days together.</summary>
    public const long DefaultMaxMemoryBytes = 1 << 20;

    /// <summary>
    /// The most one value adds to a sample: its first characters (12 KiB at most in UTF-8). A dictionary helps with what values share (their keys and
    /// framing); past its first kilobytes a long value compresses against itself. Without this one 8 MiB value was
    /// the whole sample: one copy of all of it, held until the training ended, and a dictionary of a single value.
    /// </summary>
    public const int MaxSampleValueChars = 4 << 10;

    /// <summary>Days tracked at once (a batch spans today and yesterday; retention keeps days from being written much older).</summary>
    public const int MaxDays = 8;

    private readonly Dictionary<DateOnly, DayState> _days = [];
    private readonly Lock _lock = new();
    private readonly Func<Action, Task> _run;
    private long _memory;
    private long _trained;
    private long _trainingFailures;
    private long _evicted;

    /// <param name="sampleBytes">The sample a day's dictionary is trained from.</param>
    /// <param name="dictionaryBytes">The most a dictionary may be.</param>
    /// <param name="maxMemoryBytes">Dictionaries held, all days together.</param>
    /// <param name="run">Runs a training off the caller's thread (a thread-pool task if null).</param>
    public DetailCompression(long sampleBytes = DefaultSampleBytes, int dictionaryBytes = DefaultDictionaryBytes, long maxMemoryBytes = DefaultMaxMemoryBytes, Func<Action, Task>? run = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleBytes, DetailCodec.MinBytes);
        SampleBytes = sampleBytes;
        DictionaryBytes = dictionaryBytes;
        MaxMemoryBytes = maxMemoryBytes;
        _run = run ?? (a => Task.Run(a));
    }

    /// <summary>The sample a day's dictionary is trained from, in bytes.</summary>
    public long SampleBytes { get; }

    /// <summary>The most a dictionary may be.</summary>
    public int DictionaryBytes { get; }

    /// <summary>Dictionaries held, all days together, in bytes (<see cref="DictionaryOfDay.MemoryBytes"/>).</summary>
    public long MaxMemoryBytes { get; }

    /// <summary>Dictionaries trained.</summary>
    public long Trained => Interlocked.Read(ref _trained);

    /// <summary>Trainings that failed (too little or too uniform a sample): the day stays raw.</summary>
    public long TrainingFailures => Interlocked.Read(ref _trainingFailures);

    /// <summary>Dictionaries let go to stay inside <see cref="MaxMemoryBytes"/>; their days are stored raw from then on.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>The managed thread id the last training ran on (tests: never the writer's).</summary>
    public int? LastTrainingThread { get; private set; }

    /// <summary>The bytes of the last sample handed to a training (tests: the sample's cap).</summary>
    internal long LastSampleBytes { get; private set; }

    /// <summary>
    /// Called by the writer (on the flush thread) for a day it writes that has a dictionary table, with the newest
    /// dictionaries stored there and the largest id in use. A day already registered keeps its state; ids go on
    /// from the largest either knows.
    /// </summary>
    public void Register(DateOnly day, IReadOnlyList<DictionaryOfDay> stored, int maxId)
    {
        lock (_lock)
        {
            if (!_days.TryGetValue(day, out var state))
            {
                if (_days.Count >= MaxDays)
                {
                    Remove(_days.Keys.Min());
                }

                state = new DayState();
                _days.Add(day, state);
            }

            state.NextId = Math.Max(state.NextId, maxId + 1);
            if (state.Current is null && !state.Evicted && stored.Count > 0)
            {
                Use(day, state, stored.MaxBy(d => d.Id)!);
            }
        }
    }

    /// <summary>Forgets a day (dropped whole, or its details dropped): its records are stored raw from then on.</summary>
    public void Forget(DateOnly day)
    {
        lock (_lock)
        {
            Remove(day);
        }
    }

    /// <summary>
    /// The dictionary to compress a record of <paramref name="day"/> with, or null (raw). While the day has none,
    /// the record's values join its training sample, and a full sample starts the training.
    /// </summary>
    public DictionaryOfDay? For(DateOnly day, InvocationRecord record)
    {
        DayState? state;
        List<byte[]>? full = null;
        var id = 0;
        lock (_lock)
        {
            if (!_days.TryGetValue(day, out state))
            {
                return null;
            }

            if (state.Current is { } current)
            {
                return current;
            }

            if (state.Sample is { } sample)
            {
                Add(sample, ref state.SampleSize, record.Args, record.Kwargs, record.Result, record.Traceback);
                if (state.SampleSize >= SampleBytes)
                {
                    LastSampleBytes = state.SampleSize;
                    state.Sample = null;
                    full = sample;
                    id = state.NextId++;
                }
            }
        }

        if (full is not null)
        {
            // Started outside the lock: the producer only hands the sample over.
            _run(() => Train(day, state, id, full));
        }

        return null;
    }

    private void Add(List<byte[]> sample, ref long size, params ReadOnlySpan<string?> values)
    {
        foreach (var value in values)
        {
            if (value is { Length: >= DetailCodec.MinBytes } && size < SampleBytes)
            {
                // Its first characters only; a surrogate pair cut in two is replaced, which costs the training nothing.
                var chars = value.AsSpan(0, Math.Min(value.Length, MaxSampleValueChars));
                var bytes = new byte[Encoding.UTF8.GetByteCount(chars)];
                Encoding.UTF8.GetBytes(chars, bytes);
                sample.Add(bytes);
                size += bytes.Length;
            }
        }
    }

    private void Train(DateOnly day, DayState state, int id, List<byte[]> sample)
    {
        LastTrainingThread = Environment.CurrentManagedThreadId;
        DictionaryOfDay? trained = null;
        try
        {
            trained = new DictionaryOfDay(day, id, DictBuilder.TrainFromBuffer(sample, DictionaryBytes));
            Interlocked.Increment(ref _trained);
        }
        catch (ZstdException)
        {
            // Too few or too alike samples: the day is kept raw rather than trained again on every record.
            Interlocked.Increment(ref _trainingFailures);
        }

        lock (_lock)
        {
            if (trained is not null && _days.TryGetValue(day, out var now) && ReferenceEquals(now, state) && !state.Evicted)
            {
                Use(day, state, trained);
            }
        }
    }

    /// <summary>Makes a dictionary the day's, letting the oldest days' go while the held ones pass the cap.</summary>
    private void Use(DateOnly day, DayState state, DictionaryOfDay dictionary)
    {
        state.Current = dictionary;
        state.Sample = null;
        _memory += dictionary.MemoryBytes;
        while (_memory > MaxMemoryBytes && _days.Where(d => d.Value.Current is not null).OrderBy(d => d.Key).FirstOrDefault() is { Value: not null } oldest)
        {
            _memory -= oldest.Value.Current!.MemoryBytes;
            oldest.Value.Current = null;
            oldest.Value.Evicted = true;
            Interlocked.Increment(ref _evicted);
            if (oldest.Key == day)
            {
                break;
            }
        }
    }

    private void Remove(DateOnly day)
    {
        if (_days.Remove(day, out var state) && state.Current is { } current)
        {
            _memory -= current.MemoryBytes;
        }
    }

    /// <summary>What the producer knows of one day: its dictionary, or the sample one is being made from.</summary>
    private sealed class DayState
    {
        public DictionaryOfDay? Current;
        public List<byte[]>? Sample = [];
        public long SampleSize;
        public int NextId = 1;
        public bool Evicted;
    }
}
