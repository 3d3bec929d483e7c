using Ingest.Accounting;
using Ingest.Storage.Workers;


namespace Ingest.Tracking;

/// <summary>
/// The bounded table of workers fed by worker-* events. Past <see cref="WorkerOptions.MaxWorkers"/> the worker
/// silent for longest is forgotten and counted. Every change is handed to the <see cref="WorkerStateBuffer"/>, which
/// the flush loop writes to the day's worker table, and the table's newest states are restored at start (issue 25):
/// a restart, or a serve after a replay, shows the workers it knew with their last-seen times, judged lost or
/// offline by the same rules as live ones. Thread-safe.
/// </summary>
public sealed class WorkerRegistry
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _maxWorkers;
    private readonly double _lostAfterHeartbeats;
    private readonly WorkerStateBuffer? _states;
    private long _evicted;

    /// <param name="options">Bounds of the table.</param>
    /// <param name="time">Ingest's clock: last-seen times and "lost" are measured on it.</param>
    /// <param name="states">Where changes go to be stored, and stored states come back from; none keeps workers in memory only.</param>
    public WorkerRegistry(WorkerOptions options, TimeProvider time, WorkerStateBuffer? states = null)
    {
        _time = time;
        _maxWorkers = options.MaxWorkers;
        _lostAfterHeartbeats = options.LostAfterHeartbeats;
        _states = states;
        states?.OnRestore(Restore);
    }

    /// <summary>Workers forgotten because the table was full.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _workers.Count;
            }
        }
    }

    public void Apply(CeleryEvent e)
    {
        if (e.Hostname is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        WorkerStateRow changed;
        lock (_lock)
        {
            if (!_workers.TryGetValue(e.Hostname, out var w))
            {
                if (_workers.Count >= _maxWorkers)
                {
                    EvictOldest();
                }

                w = new Worker(e.Hostname);
                _workers.Add(e.Hostname, w);
            }
            else if (e.Timestamp < w.LastEventAt)
            {
                return; // an older heartbeat that arrived late says nothing new
            }

            w.LastEventAt = e.Timestamp;
            w.LastSeen = now;
            w.Offline = e.Type == CeleryEventType.WorkerOffline;
            w.Freq = e.Freq ?? w.Freq;
            w.Active = e.Active ?? w.Active;
            w.Processed = e.Processed ?? w.Processed;
            w.LoadAverage = e.LoadAverage ?? w.LoadAverage;
            w.SoftwareIdent = e.SoftwareIdent ?? w.SoftwareIdent;
            w.SoftwareVersion = e.SoftwareVersion ?? w.SoftwareVersion;
            w.SoftwareSystem = e.SoftwareSystem ?? w.SoftwareSystem;
            w.Pid = e.Pid ?? w.Pid;
            changed = ToRow(w);
        }

        // Outside the lock: the buffer has a lock of its own, and one lock at a time cannot deadlock.
        _states?.Put(changed);
    }

    /// <summary>Most queues remembered per worker.</summary>
    public const int MaxQueuesPerWorker = 32;

    /// <summary>
    /// A task event from a known worker: remembers the queue it served (at most <see cref="MaxQueuesPerWorker"/>).
    /// Unknown workers are not added: a worker is known by its own events, so a task event cannot fake one.
    /// </summary>
    public void NoteTask(string? hostname, string? queue)
    {
        if (hostname is null || string.IsNullOrEmpty(queue))
        {
            return;
        }

        WorkerStateRow? changed = null;
        lock (_lock)
        {
            if (_workers.TryGetValue(hostname, out var w) && !w.Queues.Contains(queue) && w.Queues.Count < MaxQueuesPerWorker)
            {
                w.Queues.Add(queue);
                changed = ToRow(w);
            }
        }

        if (changed is not null)
        {
            _states?.Put(changed);
        }
    }

    /// <summary>
    /// Adds the stored workers the table does not hold yet (a live event may have come first and is newer), with
    /// their stored last-seen time, up to the table's bound. Not handed back to the buffer: they are stored already.
    /// </summary>
    public void Restore(IReadOnlyList<WorkerStateRow> rows)
    {
        lock (_lock)
        {
            foreach (var row in rows)
            {
                if (_workers.Count >= _maxWorkers)
                {
                    break; // newest first: the rest were silent longer
                }

                if (_workers.ContainsKey(row.Hostname))
                {
                    continue;
                }

                var w = new Worker(row.Hostname)
                {
                    LastEventAt = row.LastHeartbeatAt ?? double.NegativeInfinity,
                    LastSeen = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(row.LastSeenAt * 1000)),
                    Offline = row.Offline,
                    Freq = row.Freq,
                    Active = row.Active,
                    Processed = row.Processed,
                    LoadAverage = row.LoadAverage?.ToArray(),
                    SoftwareIdent = row.SoftwareIdent,
                    SoftwareVersion = row.SoftwareVersion,
                    SoftwareSystem = row.SoftwareSystem,
                    Pid = row.Pid,
                };
                foreach (var queue in row.Queues.Take(MaxQueuesPerWorker))
                {
                    w.Queues.Add(queue);
                }

                _workers.Add(row.Hostname, w);
            }
        }
    }

    public IReadOnlyList<WorkerInfo> Snapshot()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return _workers.Values
                .OrderBy(w => w.Hostname, StringComparer.Ordinal)
                .Select(w => View(w, now))
                .ToList();
        }
    }

    private WorkerInfo View(Worker w, DateTimeOffset now)
    {
        var age = (now - w.LastSeen).TotalSeconds;
        var lostAfter = Math.Max(10, (w.Freq ?? 2.0) * _lostAfterHeartbeats);
        return new WorkerInfo
        {
            Hostname = w.Hostname,
            Status = w.Offline ? "offline" : age > lostAfter ? "lost" : "online",
            LastHeartbeatAt = w.LastEventAt,
            SecondsSinceSeen = Math.Round(age, 3),
            HeartbeatIntervalSeconds = w.Freq,
            Active = w.Active,
            Processed = w.Processed,
            LoadAverage = w.LoadAverage,
            SoftwareIdent = w.SoftwareIdent,
            SoftwareVersion = w.SoftwareVersion,
            SoftwareSystem = w.SoftwareSystem,
            Pid = w.Pid,
            Queues = [.. w.Queues.Order(StringComparer.Ordinal)],
        };
    }

    private static WorkerStateRow ToRow(Worker w) => new()
    {
        Hostname = w.Hostname,
        Offline = w.Offline,
        LastHeartbeatAt = double.IsFinite(w.LastEventAt) ? w.LastEventAt : null,
        LastSeenAt = w.LastSeen.ToUnixTimeMilliseconds() / 1000.0,
        Freq = w.Freq,
        Active = w.Active,
        Processed = w.Processed,
        LoadAverage = w.LoadAverage?.ToArray(),
        SoftwareIdent = w.SoftwareIdent,
        SoftwareVersion = w.SoftwareVersion,
        SoftwareSystem = w.SoftwareSystem,
        Pid = w.Pid,
        Queues = [.. w.Queues.Order(StringComparer.Ordinal)],
    };

    private void EvictOldest()
    {
        Worker? oldest = null;
        foreach (var w in _workers.Values)
        {
            if (oldest is null || w.LastSeen < oldest.LastSeen)
            {
                oldest = w;
            }
        }

        if (oldest is not null)
        {
            _workers.Remove(oldest.Hostname);
            Interlocked.Increment(ref _evicted);
        }
    }

    private sealed class Worker(string hostname)
    {
        public string Hostname { get; } = hostname;
        public double LastEventAt { get; set; } = double.NegativeInfinity;
        public DateTimeOffset LastSeen { get; set; }
        public bool Offline { get; set; }
        public double? Freq { get; set; }
        public int? Active { get; set; }
        public long? Processed { get; set; }
        public double[]? LoadAverage { get; set; }
        public string? SoftwareIdent { get; set; }
        public string? SoftwareVersion { get; set; }
        public string? SoftwareSystem { get; set; }
        public int? Pid { get; set; }
        public HashSet<string> Queues { get; } = new(StringComparer.Ordinal);
    }
}
