using System.Buffers;
using System.Text;
using System.Text.Json;
using Ingest.Storage.Checkpoint;
using Ingest.Storage.Partitions;
using Ingest.Storage.Rollups;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// Records as JSONEachRow bodies, one per table: the data of an insert travels as JSON, escaped by the JSON writer,
/// never as SQL. Non-ASCII is written as <c>\uXXXX</c> (18.16's parser reads escapes, surrogate pairs included);
/// a lone surrogate, which no UTF-8 can carry, becomes U+FFFD; a number that is not finite is stored as null.
/// </summary>
internal static class ClickHouseRows
{
    private static readonly JsonWriterOptions s_options = new() { SkipValidation = true };

    /// <summary>The three bodies of one batch: invocations, details (only records that have any) and task days.</summary>
    public static (byte[] Invocations, byte[]? Details, byte[] TaskDays) Batch(IReadOnlyList<InvocationRecord> batch)
    {
        var invocations = new ArrayBufferWriter<byte>(batch.Count * 400);
        var details = new ArrayBufferWriter<byte>();
        var days = new ArrayBufferWriter<byte>(batch.Count * 64);
        foreach (var r in batch)
        {
            var day = DayPartition.DayOf(r.PartitionTime);
            Line(invocations, w => Invocation(w, r, day));
            if (r.HeldArgs is not null || r.HeldKwargs is not null || r.HeldResult is not null || r.HeldTraceback is not null || r.Exception is not null)
            {
                Line(details, w => Details(w, r, day));
            }

            Line(days, w =>
            {
                w.WriteString("task_id", Text(r.TaskId));
                w.WriteString("day", Day(day));
            });
        }

        return (invocations.WrittenSpan.ToArray(), details.WrittenCount == 0 ? null : details.WrittenSpan.ToArray(), days.WrittenSpan.ToArray());
    }

    /// <summary>
    /// The retry times of the records that have any, one row each (issue 26): instances that each saw some of a
    /// task's retries add up to the distinct times at read. Null when no record of the batch was retried.
    /// </summary>
    public static byte[]? Retries(IReadOnlyList<InvocationRecord> batch)
    {
        ArrayBufferWriter<byte>? buffer = null;
        foreach (var r in batch)
        {
            foreach (var at in r.RetriedAt ?? Enumerable.Empty<double>())
            {
                if (double.IsFinite(at))
                {
                    var day = DayPartition.DayOf(r.PartitionTime);
                    Line(buffer ??= new ArrayBufferWriter<byte>(), w =>
                    {
                        w.WriteString("day", Day(day));
                        w.WriteString("task_id", Text(r.TaskId));
                        w.WriteNumber("retried_at", at);
                    });
                }
            }
        }

        return buffer?.WrittenSpan.ToArray();
    }

    /// <summary>Checkpoint changes as in-flight rows of <paramref name="instance"/>: upserts, and deletes as tombstones.</summary>
    public static byte[] Inflight(CheckpointDelta delta, string instance, DateOnly today, ulong version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var row in delta.Upserts)
        {
            Line(buffer, w => InflightRow(w, instance, today, version, row.TaskId, row.State, row.UpdatedAt, deleted: false));
        }

        foreach (var taskId in delta.Deletes)
        {
            Line(buffer, w => InflightRow(w, instance, today, version, taskId, "", 0, deleted: true));
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Queue samples of <paramref name="instance"/>.</summary>
    public static byte[] QueueSamples(IReadOnlyList<QueueSample> samples, string instance)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var s in samples)
        {
            Line(buffer, w =>
            {
                w.WriteString("day", Day(DayPartition.DayOf(s.At)));
                w.WriteString("queue", Text(s.Queue));
                w.WriteNumber("at", s.At);
                w.WriteNumber("length", s.Length);
                Number(w, "consumers", s.Consumers);
                w.WriteString("instance", Text(instance));
            });
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One meta row.</summary>
    public static byte[] Meta(string instance, string key, string value, ulong version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Line(buffer, w =>
        {
            w.WriteString("instance", Text(instance));
            w.WriteString("key", key);
            w.WriteString("value", Text(value));
            w.WriteNumber("version", version);
        });
        return buffer.WrittenSpan.ToArray();
    }

    private static void Invocation(Utf8JsonWriter w, InvocationRecord r, DateOnly day)
    {
        w.WriteString("day", Day(day));
        w.WriteString("task_id", Text(r.TaskId));
        w.WriteString("state", Text(r.State));
        Number(w, "state_at", r.StateAt);
        w.WriteNumber("state_rank", ClickHouseLifecycle.Rank(r.State));
        String(w, "name", r.Name);
        String(w, "worker", r.Worker);
        String(w, "queue", r.Queue);
        Number(w, "sent_at", r.SentAt);
        Number(w, "received_at", r.ReceivedAt);
        Number(w, "started_at", r.StartedAt);
        Number(w, "finished_at", r.FinishedAt);
        Number(w, "runtime_s", r.RuntimeSeconds);
        w.WriteNumber("retries", Math.Max(0, r.Retries));
        String(w, "exception_type", r.ExceptionType);
        String(w, "exception", r.Exception);
        String(w, "parent_id", r.ParentId);
        String(w, "root_id", r.RootId);
        String(w, "eta", r.Eta);
        String(w, "expires", r.Expires);
        Number(w, "terminated", r.Terminated is { } t ? (t ? 1 : 0) : null);
        Number(w, "expired", r.Expired is { } e ? (e ? 1 : 0) : null);
        Number(w, "signum", r.Signum);
    }

    private static void Details(Utf8JsonWriter w, InvocationRecord r, DateOnly day)
    {
        w.WriteString("day", Day(day));
        w.WriteString("task_id", Text(r.TaskId));
        Number(w, "state_at", r.StateAt);
        w.WriteNumber("state_rank", ClickHouseLifecycle.Rank(r.State));
        String(w, "args", r.Args);
        String(w, "kwargs", r.Kwargs);
        String(w, "result", r.Result);
        String(w, "traceback", r.Traceback);
    }

    private static void InflightRow(Utf8JsonWriter w, string instance, DateOnly today, ulong version, string taskId, string state, double updatedAt, bool deleted)
    {
        w.WriteString("day", Day(today));
        w.WriteString("instance", Text(instance));
        w.WriteString("task_id", Text(taskId));
        w.WriteString("state", Text(state));
        Number(w, "updated_at", updatedAt);
        w.WriteNumber("deleted", deleted ? 1 : 0);
        w.WriteNumber("version", version);
    }

    internal static void Line(ArrayBufferWriter<byte> buffer, Action<Utf8JsonWriter> fields)
    {
        using (var w = new Utf8JsonWriter(buffer, s_options))
        {
            w.WriteStartObject();
            fields(w);
            w.WriteEndObject();
        }

        buffer.Write("\n"u8);
    }

    internal static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    internal static void String(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, Text(value));
        }
    }

    internal static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>The text with every lone surrogate replaced by U+FFFD, so the JSON writer never refuses it.</summary>
    internal static string Text(string value)
    {
        foreach (var c in value)
        {
            if (char.IsSurrogate(c))
            {
                return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value));
            }
        }

        return value;
    }
}
