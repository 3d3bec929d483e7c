using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Microsoft.Data.Sqlite;

namespace Ingest.Cli;

/// <summary><c>ingest db info</c> and <c>ingest db compact</c>: so that operators never need the sqlite3 CLI.</summary>
internal static class DbVerbs
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Build()
    {
        var db = new Option<string>("--db") { Description = $"SQLite file (default {StorageOptions.DefaultDatabasePath}).", DefaultValueFactory = _ => StorageOptions.DefaultDatabasePath };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        // The store's URL as serve takes it, from the same environment key by default (issue 26).
        var clickhouse = new Option<string?>("--clickhouse")
        {
            Description = "A ClickHouse store (http[s]://[user@]host:8123/database) instead of the file: its day partitions' rows and bytes.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Ingest__ClickHouse__Url"),
        };
        var passwordFile = new Option<string?>("--clickhouse-password-file")
        {
            Description = "File holding the ClickHouse user's password.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Ingest__ClickHouse__PasswordFile"),
        };
        var info = new Command("info", "Partitions with row estimates, file and free-page sizes, vacuum mode, legacy tables; or a ClickHouse store's partitions. Read-only; safe beside a running Ingest.")
        {
            db, json, clickhouse, passwordFile,
        };
        info.SetAction(result => result.GetValue(clickhouse) is { Length: > 0 } url
            ? ClickHouseDbInfo.Print(url, result.GetValue(passwordFile), result.GetValue(json))
            : Info(result.GetValue(db)!, result.GetValue(json)));

        var compactDb = new Option<string>("--db") { Description = $"SQLite file (default {StorageOptions.DefaultDatabasePath}).", DefaultValueFactory = _ => StorageOptions.DefaultDatabasePath };
        var compact = new Command("compact", "Offline full reclaim: switch to incremental auto-vacuum and rewrite the file without free pages. Stop Ingest first; needs free disk about the file's size.")
        {
            compactDb,
        };
        compact.SetAction(result => Compact(result.GetValue(compactDb)!));

        return new Command("db", "Inspect or compact the database file.") { info, compact };
    }

    private static int Info(string path, bool json)
    {
        DatabaseInfo info;
        try
        {
            info = DatabaseInfo.Read(path);
        }
        catch (Exception e) when (e is FileNotFoundException or SqliteException)
        {
            Console.Error.WriteLine($"ingest db info: {e.Message}");
            return 2;
        }

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(info, s_json));
            return 0;
        }

        Console.WriteLine($"{info.Path}: {Bytes(info.FileBytes)} (+{Bytes(info.WalBytes)} WAL), {info.PageCount} pages of {info.PageSize} B, "
            + $"{info.FreelistPages} free ({Bytes(info.FreelistPages * info.PageSize)}), auto_vacuum {info.AutoVacuum}, journal {info.JournalMode}");
        if (info.AutoVacuum != "incremental")
        {
            Console.WriteLine("  the file cannot shrink while auto_vacuum is not incremental: stop Ingest and run 'ingest db compact'");
        }

        if (info.UnmigratedLegacy)
        {
            Console.WriteLine("  pre-partition tables present: Ingest renames them to *_legacy on its next start");
        }

        Console.WriteLine($"used {Bytes((info.PageCount - info.FreelistPages) * info.PageSize)}; {info.Partitions.Count} day partitions{(info.LegacyPresent ? " and legacy tables" : "")}");
        Console.WriteLine($"{"partition",-20} {"rows (est.)",12}");
        foreach (var p in info.Partitions.Append(info.Legacy).OfType<TableInfo>())
        {
            Console.WriteLine($"{p.Name,-20} {p.RowEstimate,12:N0}");
        }

        Console.WriteLine($"{info.MinuteTables.Count} minute rollup tables (the last 48 hours at minute resolution)");
        foreach (var m in info.MinuteTables)
        {
            Console.WriteLine($"{m.Name,-22} {m.RowEstimate,12:N0} rows");
        }

        return 0;
    }

    private static int Compact(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"no database at {Path.GetFullPath(path)}", path);
            }

            using var owner = Ingest.Storage.DatabaseLock.Acquire(path, "db compact", TimeProvider.System);
            var (before, after) = Compactor.Run(path, elapsed => Console.Error.Write($"\rcompacting {path}: {elapsed.TotalSeconds:F0} s"), TimeProvider.System);
            Console.Error.WriteLine();
            Console.WriteLine($"compacted {path}: {Bytes(before)} → {Bytes(after)}; auto_vacuum is now incremental");
            return 0;
        }
        catch (Ingest.Storage.DatabaseLockedException e)
        {
            Console.Error.WriteLine($"ingest db compact: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is FileNotFoundException or SqliteException)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine($"ingest db compact: {e.Message}{(e is SqliteException { SqliteErrorCode: 5 } ? " (is Ingest still running? stop it first)" : "")}");
            return 2;
        }
    }

    internal static string Bytes(long b) => b switch
    {
        >= 1L << 30 => (b / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (b / (double)(1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (b / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => b + " B",
    };
}
