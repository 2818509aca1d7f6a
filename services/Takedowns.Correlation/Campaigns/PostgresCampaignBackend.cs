using Marten;
using Npgsql;
using NpgsqlTypes;
using Takedowns.ServiceDefaults;
using Weasel.Postgresql.Tables;

namespace Takedowns.Correlation.Campaigns;

/// <summary>Campaign detection's tables beside Marten's own: blocking keys, background counts and per-stratum daily counts.</summary>
public sealed class PostgresCampaignBackend(IDocumentOperations operations) : ICampaignBackend
{
    public const string Keys = "notice_keys";
    /// <summary>The table earlier versions kept keys in, a row per key; moved into <see cref="Keys"/> when detection starts.</summary>
    public const string EarlierKeys = "notice_key_hashes";
    public const string Counts = "notice_count_hashes";
    public const string Days = "notice_days";

    private static string Schema(IDocumentOperations operations) => operations.DocumentStore.Options.DatabaseSchemaName;

    public static void AddTables(StoreOptions options)
    {
        string schema = options.DatabaseSchemaName;
        var keys = new Table(new Weasel.Postgresql.PostgresqlObjectName(schema, Keys, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        // A row per report (and time): its blocking keys in one array. A report carries about thirty keys; a row for each
        // cost thirty heap rows and index entries, which made writing them most of what detection asked of PostgreSQL on
        // an imported history. The report's day (UTC, counted from 1970-01-01; RecentState.DayOf) and time lead the one
        // index: a day is read whole in one range of it, in order of time, and a retracted report's row is found by its
        // day, time and id. Keys are looked up in memory, where days are held whole (RecentState), not in the table.
        keys.AddColumn<int>("day").NotNull();
        keys.AddColumn<DateTimeOffset>("occurred_at").NotNull();
        keys.AddColumn<Guid>("report_id").NotNull();
        keys.AddColumn("keys", "bigint[]").NotNull();
        keys.Indexes.Add(new IndexDefinition($"ix_{Keys}_day_time") { Columns = ["day", "occurred_at"] });
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

    /// <summary>
    /// Per probe, the nearest reports carrying its key on each side of its time, from the days its window covers, read
    /// whole and searched in memory as detection searches the days it holds (<see cref="KeyIndex"/>). Detection holds the
    /// days its pages need and asks here only for what it does not hold.
    /// </summary>
    public async Task<IReadOnlyList<(int Probe, Guid Id)>> CandidatesAsync(
        IReadOnlyList<(long Key, DateTimeOffset At)> probes, TimeSpan window, int perSide, CancellationToken ct)
    {
        if (probes.Count == 0) return [];
        var wanted = probes.Select(p => p.Key).ToHashSet();
        var days = probes.SelectMany(p => RecentState.DaysAround(p.At, window)).ToHashSet();
        var index = new KeyIndex();
        await foreach (var (key, at, id) in KeysOnDaysAsync(days, ct))
            if (wanted.Contains(key)) index.Add(key, at, id);
        var found = new List<(int Probe, Guid Id)>();
        var ids = new HashSet<Guid>();
        for (int i = 0; i < probes.Count; i++)
        {
            ids.Clear();
            index.Nearest(probes[i].Key, probes[i].At, window, perSide, ids);
            foreach (var id in ids) found.Add((i, id));
        }
        return found;
    }

    /// <summary>
    /// Every stored blocking key of a report that happened on one of <paramref name="days"/> (a range of the index each),
    /// day after day in the order given, in order of time within a day.
    /// </summary>
    public async IAsyncEnumerable<(long Key, DateTimeOffset At, Guid Id)> KeysOnDaysAsync(
        IReadOnlyCollection<int> days, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (days.Count == 0) yield break;
        await using var command = new NpgsqlCommand($"""
            select k.occurred_at, k.report_id, k.keys
            from unnest($1::int[]) with ordinality d(day, n)
            cross join lateral (select occurred_at, report_id, keys from {Schema(operations)}.{Keys} where day = d.day order by occurred_at) k
            order by d.n
            """)
        {
            Parameters = { new() { Value = days.Order().ToArray() } },
        };
        await using var reader = await operations.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct))
        {
            var at = reader.GetFieldValue<DateTimeOffset>(0);
            var id = reader.GetGuid(1);
            foreach (long key in reader.GetFieldValue<long[]>(2)) yield return (key, at, id);
        }
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

    /// <summary>
    /// Moves the keys an earlier version kept a row each (<see cref="EarlierKeys"/>, some without their day) into a row
    /// per report and time, and drops that table, in one transaction; returns the keys moved (0 when there is no such table).
    /// </summary>
    public static async Task<long> MoveEarlierKeysAsync(IDocumentStore store, CancellationToken ct)
    {
        string schema = store.Options.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var exists = new NpgsqlCommand("select to_regclass($1) is not null", connection, transaction)
                     { Parameters = { new() { Value = $"{schema}.{EarlierKeys}" } } })
            if (await exists.ExecuteScalarAsync(ct) is not true) return 0;
        await using var move = new NpgsqlCommand($"""
            with moved as (
              insert into {schema}.{Keys} (day, occurred_at, report_id, keys)
              select coalesce(day, floor(extract(epoch from occurred_at) / 86400)::int), occurred_at, report_id, array_agg(key)
              from {schema}.{EarlierKeys} group by 1, 2, 3
              returning cardinality(keys) as keys
            )
            select coalesce(sum(keys), 0)::bigint from moved
            """, connection, transaction);
        long moved = (long)(await move.ExecuteScalarAsync(ct))!;
        await using (var drop = new NpgsqlCommand($"drop table {schema}.{EarlierKeys}", connection, transaction))
            await drop.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return moved;
    }

    /// <summary>
    /// Queues a unit of work's changes in the session: set-based statements, one per kind. Times are written as UTC (the
    /// instant is the same): Npgsql refuses any other offset for timestamptz, which would stop detection on every retry.
    /// </summary>
    /// <param name="profiles">Writes the profiles (one per service's store: it checks its table once).</param>
    public static async Task QueueAsync(IDocumentOperations operations, CampaignChanges changes, DocumentRows<NoticeProfile, Guid> profiles, CancellationToken ct)
    {
        string schema = Schema(operations);
        // A report's row is found by its day and time (the one index the table keeps) and its id, not by report alone:
        // an index on the report would add to the cost of every insert for the rare revision or retraction.
        if (changes.Unindexed.Count > 0)
        {
            var gone = changes.Unindexed.Select(u => (u.Id, At: u.At.ToUniversalTime())).Distinct().ToList();
            operations.QueueSqlCommand($"""
                delete from {schema}.{Keys} k using unnest(?::int[], ?::timestamptz[], ?::uuid[]) x(day, occurred_at, report_id)
                where k.day = x.day and k.occurred_at = x.occurred_at and k.report_id = x.report_id
                """, gone.Select(g => RecentState.DayOf(g.At.UtcTicks)).ToArray(), gone.Select(g => g.At).ToArray(), gone.Select(g => g.Id).ToArray());
        }
        if (changes.Keys.Count > 0)
        {
            // Every row's keys in one array, each row given its slice of it (from, to: 1-based, inclusive).
            var rows = changes.Keys.GroupBy(k => (k.Id, At: k.At.ToUniversalTime())).ToList();
            var flat = new long[changes.Keys.Count];
            var (from, to) = (new int[rows.Count], new int[rows.Count]);
            int n = 0;
            for (int i = 0; i < rows.Count; i++)
            {
                from[i] = n + 1;
                foreach (var k in rows[i]) flat[n++] = k.Key;
                to[i] = n;
            }
            operations.QueueSqlCommand($"""
                insert into {schema}.{Keys} (day, occurred_at, report_id, keys)
                select r.day, r.occurred_at, r.report_id, k.flat[r.first:r.last]
                from unnest(?::int[], ?::timestamptz[], ?::uuid[], ?::int[], ?::int[]) r(day, occurred_at, report_id, first, last)
                cross join (select ?::bigint[] as flat) k
                """, rows.Select(r => RecentState.DayOf(r.Key.At.UtcTicks)).ToArray(), rows.Select(r => r.Key.At).ToArray(),
                rows.Select(r => r.Key.Id).ToArray(), from, to, flat);
        }
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
        await profiles.QueueAsync(operations, changes.Profiles, ct);
        if (changes.Clusters.Count > 0) operations.Store(changes.Clusters.ToArray());
        foreach (var id in changes.DeletedClusters) operations.Delete<CandidateCluster>(id);
    }
}
