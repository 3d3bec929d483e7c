using Microsoft.Extensions.Hosting;

namespace Ingest.Tracking;

/// <summary>Expires idle tasks once a second, so that quiet periods (no events to trigger expiry) still write them.</summary>
public sealed class TrackerSweeper : BackgroundService
{
    private readonly TaskTracker _tracker;
    private readonly TimeProvider _time;

    public TrackerSweeper(TaskTracker tracker, TimeProvider time)
    {
        _tracker = tracker;
        _time = time;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                _tracker.Sweep();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
