using Marten;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;

namespace Takedowns.Correlation.Campaigns;

/// <summary>Campaign detection's tables beside Marten's own: blocking keys, background counts and per-stratum daily counts.</summary>
public sealed class PostgresCampaignBackend(IDocumentOperations operations) : ICampaignBackend
{
    public const string Keys = "notice_key_hashes";
    public const string Counts = "notice_count_hashes";
    public const string Days = "notice_days";

    private static string Schema(IDocumentOperations operations) => operations.DocumentStore.Options.DatabaseSchemaName;

    public static void AddTables(StoreOptions options)
    {
        string schema = options.DatabaseSchemaName;
        var keys = new Table(new Weasel.Postgresql.PostgresqlObjectName(schema, Keys, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        keys.AddColumn<long>("key").NotNull();
        keys.AddColumn<DateTimeOffset>("occurred_at").NotNull();
        keys.AddColumn<Guid>("report_id").NotNull();
        // The report's day (UTC, counted from 1970-01-01; RecentState.DayOf), first in the one index: a page's rows go in
        // at the few places in time its reports are (an index led by the key took them at random places, which cost most
        // of a page's writing), and a day is read whole in one range of it. Left empty by earlier versions, and filled
        // in when detection starts (FillDaysAsync).
        keys.AddColumn<int>("day");
        keys.Indexes.Add(new IndexDefinition($"ix_{Keys}_day_key_time") { Columns = ["day", "key", "occurred_at"] });
        var counts = new Table(new Weasel.Postgresql.PostgresqlObjectName(schema, Counts, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        counts.AddColumn<long>("key").AsPrimaryKey();
        counts.AddColumn<long>("count").NotNull();
        var days = new Table(new Weasel.Postgresql.PostgresqlObjectName(schema, Days, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        days.AddColumn<string>("stratum").AsPrimaryKey();
        days.AddColumn<DateOnly>("day").AsPrimaryKey();
        days.AddColumn<long>("count").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(keys);
        options.Storage.ExtendedSchemaObjects.Add(counts);
        options.Storage.ExtendedSchemaObjects.Add(days);
    }

    public async Task<IReadOnlyDictionary<long, long>> CountsAsync(IReadOnlyCollection<long> keys, CancellationToken ct)
    {
        var counts = new Dictionary<long, long>(keys.Count);
        await using var command = new NpgsqlCommand($"select key, count from {Schema(operations)}.{Counts} where key = any($1)")
        {
            Parameters = { new() { Value = keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint } },
        };
        await using var reader = await operations.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct)) counts[reader.GetInt64(0)] = reader.GetInt64(1);
        return counts;
    }

    public async Task<IReadOnlyList<(int Probe, Guid Id)>> CandidatesAsync(
        IReadOnlyList<(long Key, DateTimeOffset At)> probes, TimeSpan window, int perSide, CancellationToken ct)
    {
        if (probes.Count == 0) return [];
        string table = $"{Schema(operations)}.{Keys}";
        // Per probe, the nearest entries on each side of its time, from the index's ranges of (day, key) for each day of
        // the window on that side.
        await using var command = new NpgsqlCommand($"""
            select (p.i - 1)::int, c.report_id
            from unnest($1::bigint[], $2::timestamptz[], $5::int[], $6::int[], $7::int[]) with ordinality p(key, at, first, mid, last, i) cross join lateral (
              (select report_id from {table}
               where day = any(array(select generate_series(p.first, p.mid))) and key = p.key and occurred_at < p.at and occurred_at >= p.at - $3
               order by occurred_at desc limit $4)
              union all
              (select report_id from {table}
               where day = any(array(select generate_series(p.mid, p.last))) and key = p.key and occurred_at >= p.at and occurred_at <= p.at + $3
               order by occurred_at limit $4)
            ) c
            """)
        {
            Parameters =
            {
                new() { Value = probes.Select(p => p.Key).ToArray() },
                new() { Value = probes.Select(p => p.At.ToUniversalTime()).ToArray() },
                new() { Value = window, NpgsqlDbType = NpgsqlDbType.Interval },
                new() { Value = perSide },
                new() { Value = probes.Select(p => RecentState.DayOf(p.At.UtcTicks - window.Ticks)).ToArray() },
                new() { Value = probes.Select(p => RecentState.DayOf(p.At.UtcTicks)).ToArray() },
                new() { Value = probes.Select(p => RecentState.DayOf(p.At.UtcTicks + window.Ticks)).ToArray() },
            },
        };
        var found = new List<(int Probe, Guid Id)>();
        await using var reader = await operations.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct)) found.Add((reader.GetInt32(0), reader.GetGuid(1)));
        return found;
    }

    /// <summary>Every stored blocking key of a report that happened on one of <paramref name="days"/> (a range of the index each).</summary>
    public async IAsyncEnumerable<(long Key, DateTimeOffset At, Guid Id)> KeysOnDaysAsync(
        IReadOnlyCollection<int> days, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (days.Count == 0) yield break;
        await using var command = new NpgsqlCommand(
            $"select key, occurred_at, report_id from {Schema(operations)}.{Keys} where day = any($1)")
        {
            Parameters = { new() { Value = days.ToArray() } },
        };
        await using var reader = await operations.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct)) yield return (reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetGuid(2));
    }

    public async Task<IReadOnlyList<NoticeProfile>> ProfilesAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) => await UntrackedAsync<NoticeProfile>(ids, ct);

    public async Task<IReadOnlyList<CandidateCluster>> ClustersAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) => await UntrackedAsync<CandidateCluster>(ids, ct);

    public async Task<CandidateCluster?> ClusterOfCampaignAsync(Guid campaignId, CancellationToken ct)
    {
        var id = await operations.Query<CandidateCluster>().Where(c => c.CampaignId == campaignId).Select(c => c.Id).FirstOrDefaultAsync(ct);
        return id == Guid.Empty ? null : (await UntrackedAsync<CandidateCluster>([id], ct)).FirstOrDefault();
    }

    /// <summary>
    /// Documents read without the session keeping them: detection replaces a profile or cluster with a new object of the
    /// same id (a revised report, a regrouped cluster), and a session that had tracked the old one would refuse it, stopping
    /// detection on every retry.
    /// </summary>
    private async Task<List<T>> UntrackedAsync<T>(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var found = new List<T>(ids.Count);
        if (ids.Count == 0) return found;
        var options = operations.DocumentStore.Options;
        string table = options.FindOrResolveDocumentType(typeof(T)).TableName.QualifiedName;
        await using var command = new NpgsqlCommand($"select data from {table} where id = any($1)") { Parameters = { new() { Value = ids.ToArray() } } };
        var serializer = options.Serializer();
        await using var reader = await operations.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct)) found.Add(serializer.FromJson<T>(reader, 0));
        return found;
    }

    public async Task<IReadOnlyList<(DateOnly Day, long Count)>> StratumDaysAsync(string stratum, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select day, count from {Schema(operations)}.{Days} where stratum = $1") { Parameters = { new() { Value = stratum } } };
        var days = new List<(DateOnly Day, long Count)>();
        await using var reader = await operations.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct)) days.Add((reader.GetFieldValue<DateOnly>(0), reader.GetInt64(1)));
        return days;
    }

    /// <summary>Gives rows an earlier version wrote without their day the day of their time (as <see cref="RecentState.DayOf"/> counts).</summary>
    public static async Task<int> FillDaysAsync(IDocumentOperations operations, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"update {Schema(operations)}.{Keys} set day = floor(extract(epoch from occurred_at) / 86400)::int where day is null");
        await using var reader = await operations.ExecuteReaderAsync(command, ct);
        return reader.RecordsAffected;
    }

    /// <summary>
    /// Queues a unit of work's changes in the session: set-based statements, one per kind. Times are written as UTC (the
    /// instant is the same): Npgsql refuses any other offset for timestamptz, which would stop detection on every retry.
    /// </summary>
    public static void Queue(IDocumentOperations operations, CampaignChanges changes)
    {
        string schema = Schema(operations);
        // A report's rows are found by day, key and time (the one index the table keeps), not by report: an index on the
        // report alone would double the cost of every insert for the rare revision or retraction.
        if (changes.Unindexed.Count > 0)
            operations.QueueSqlCommand($"""
                delete from {schema}.{Keys} k using unnest(?::int[], ?::bigint[], ?::timestamptz[], ?::uuid[]) x(day, key, occurred_at, report_id)
                where k.day = x.day and k.key = x.key and k.occurred_at = x.occurred_at and k.report_id = x.report_id
                """, changes.Unindexed.Select(u => RecentState.DayOf(u.At.UtcTicks)).ToArray(), changes.Unindexed.Select(u => u.Key).ToArray(),
                changes.Unindexed.Select(u => u.At.ToUniversalTime()).ToArray(), changes.Unindexed.Select(u => u.Id).ToArray());
        if (changes.Keys.Count > 0)
            operations.QueueSqlCommand($"insert into {schema}.{Keys} (day, key, occurred_at, report_id) select * from unnest(?::int[], ?::bigint[], ?::timestamptz[], ?::uuid[])",
                changes.Keys.Select(k => RecentState.DayOf(k.At.UtcTicks)).ToArray(), changes.Keys.Select(k => k.Key).ToArray(),
                changes.Keys.Select(k => k.At.ToUniversalTime()).ToArray(), changes.Keys.Select(k => k.Id).ToArray());
        if (changes.Counts.Count > 0)
            operations.QueueSqlCommand($"""
                insert into {schema}.{Counts} (key, count) select * from unnest(?::bigint[], ?::bigint[]) order by 1
                on conflict (key) do update set count = {Counts}.count + excluded.count
                """, changes.Counts.Keys.ToArray(), changes.Counts.Values.ToArray());
        if (changes.Days.Count > 0)
            operations.QueueSqlCommand($"""
                insert into {schema}.{Days} (stratum, day, count) select * from unnest(?::text[], ?::date[], ?::bigint[]) order by 1, 2
                on conflict (stratum, day) do update set count = {Days}.count + excluded.count
                """, changes.Days.Keys.Select(k => k.Stratum).ToArray(), changes.Days.Keys.Select(k => k.Day).ToArray(), changes.Days.Values.ToArray());
        if (changes.Profiles.Count > 0) operations.Store(changes.Profiles.ToArray());
        if (changes.Clusters.Count > 0) operations.Store(changes.Clusters.ToArray());
        foreach (var id in changes.DeletedClusters) operations.Delete<CandidateCluster>(id);
    }
}
