using System.Globalization;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Takedowns.Correlation.Series;
using Weasel.Postgresql.Tables;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// Runs campaign detection over Correlation's report events, page by page: each page's reports are compared, linked,
/// clustered and tested, and everything that changed (profiles, candidate keys, background counts, clusters, campaign
/// events) is written in the page's own unit of work with its progress, so a page processed again after a crash starts
/// from the same state and gives the same result.
/// </summary>
public sealed class CampaignLinker(ILogger<CampaignLinker> logger) : SubscriptionBase
{
    public const string SubscriptionName = "campaign-linker";

    public static readonly Type[] EventTypes =
    [
        typeof(ReportObserved), typeof(ObservedReportRevised), typeof(ObservedReportRetracted),
        // Analysts' decisions, which detection carries into its clusters in the order of events.
        typeof(CampaignConfirmedByAnalyst), typeof(CampaignDismissedByAnalyst), typeof(CampaignReportSplitOff), typeof(CampaignAbsorbed),
    ];

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        var state = new CampaignState(new PostgresCampaignBackend(operations));
        var engine = new CampaignEngine(state, CampaignSettings.Default);
        var raised = new List<(Guid, object)>();
        // Notices are prepared (normalised, hashed) on all cores first; comparing and clustering then goes in order.
        var prepared = page.Events
            .Select((e, i) => (Index: i, Report: e.Data switch
            {
                ReportObserved { Notice: { } notice } r => new NoticeReport(r.ReportId, r.OrganisationId, r.IncidentId, r.Country, r.Platform, r.SubjectType,
                    r.Category, r.OccurredOn, r.OccurredAt, r.ExternalId, notice, 1),
                ObservedReportRevised { Notice: { } notice } r => new NoticeReport(r.ReportId, Guid.Empty, r.IncidentId, r.Country, r.Platform, r.SubjectType,
                    r.Category, r.OccurredOn, r.OccurredAt, r.ExternalId, notice, r.Revision),
                _ => null,
            }))
            .Where(x => x.Report is not null)
            .AsParallel()
            .ToDictionary(x => x.Index, x => PreparedNotice.Of(x.Report!));
        await engine.PrefetchAsync(prepared.OrderBy(p => p.Key).Select(p => p.Value).ToList(), ct);
        for (int i = 0; i < page.Events.Count; i++)
        {
            var e = page.Events[i];
            var now = e.Timestamp;
            switch (e.Data)
            {
                case ReportObserved or ObservedReportRevised when prepared.TryGetValue(i, out var notice):
                    raised.AddRange(await engine.ObserveAsync(notice, now, ct));
                    break;
                case ObservedReportRevised r:
                    await engine.RetractAsync(r.ReportId, ct); // no longer shared with the network's analysts
                    break;
                case ObservedReportRetracted r:
                    await engine.RetractAsync(r.ReportId, ct);
                    break;
                case CampaignConfirmedByAnalyst or CampaignDismissedByAnalyst or CampaignReportSplitOff or CampaignAbsorbed:
                    raised.AddRange(await engine.DecideAsync(e.Data, now, ct));
                    break;
            }
        }
        // Only appended: the documents follow from the events (an asynchronous projection, their one writer). Appended, not
        // started: a stream started here was not written (the subscription's session drops it).
        foreach (var group in raised.GroupBy(r => r.Item1))
            operations.Events.Append(group.Key, group.Select(g => g.Item2).ToArray());
        PostgresCampaignBackend.Queue(operations, state.Changes());
        if (raised.Count > 0) logger.LogInformation("Campaign detection: {Events} campaign events from {Reports} report events", raised.Count, page.Events.Count);
        return NullChangeListener.Instance;
    }
}

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
        keys.Indexes.Add(new IndexDefinition($"ix_{Keys}_key_time") { Columns = ["key", "occurred_at"] });
        keys.Indexes.Add(new IndexDefinition($"ix_{Keys}_report") { Columns = ["report_id"] });
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
        var rows = await operations.QueryAsync<string>(
            $"select key::text || chr(9) || count::text from {Schema(operations)}.{Counts} where key = any(?)", ct, new object[] { keys.ToArray() });
        return rows.Select(r => r.Split('\t'))
            .ToDictionary(p => long.Parse(p[0], CultureInfo.InvariantCulture), p => long.Parse(p[1], CultureInfo.InvariantCulture));
    }

    public async Task<IReadOnlyList<(int Probe, Guid Id)>> CandidatesAsync(
        IReadOnlyList<(long Key, DateTimeOffset At)> probes, TimeSpan window, int perSide, CancellationToken ct)
    {
        if (probes.Count == 0) return [];
        string table = $"{Schema(operations)}.{Keys}";
        // Per probe, the nearest entries on each side of its time, each an index range scan of (key, occurred_at).
        var rows = await operations.QueryAsync<string>($"""
            select (p.i - 1)::text || chr(9) || c.report_id::text
            from unnest(?::bigint[], ?::timestamptz[]) with ordinality p(key, at, i) cross join lateral (
              (select report_id from {table} where key = p.key and occurred_at < p.at and occurred_at >= p.at - ?::interval order by occurred_at desc limit ?)
              union all
              (select report_id from {table} where key = p.key and occurred_at >= p.at and occurred_at <= p.at + ?::interval order by occurred_at limit ?)
            ) c
            """, ct, probes.Select(p => p.Key).ToArray(), probes.Select(p => p.At).ToArray(), window, perSide, window, perSide);
        return rows.Select(r => r.Split('\t')).Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), Guid.Parse(p[1]))).ToList();
    }

    public async Task<IReadOnlyList<NoticeProfile>> ProfilesAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        await operations.LoadManyAsync<NoticeProfile>(ct, ids);

    public async Task<IReadOnlyList<CandidateCluster>> ClustersAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        await operations.LoadManyAsync<CandidateCluster>(ct, ids);

    public async Task<CandidateCluster?> ClusterOfCampaignAsync(Guid campaignId, CancellationToken ct) =>
        await operations.Query<CandidateCluster>().Where(c => c.CampaignId == campaignId).FirstOrDefaultAsync(ct);

    public async Task<IReadOnlyList<(DateOnly Day, long Count)>> StratumDaysAsync(string stratum, CancellationToken ct)
    {
        var rows = await operations.QueryAsync<string>(
            $"select to_char(day, 'YYYY-MM-DD') || chr(9) || count::text from {Schema(operations)}.{Days} where stratum = ?", ct, stratum);
        return rows.Select(r => r.Split('\t'))
            .Select(p => (DateOnly.ParseExact(p[0], "yyyy-MM-dd", CultureInfo.InvariantCulture), long.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>Queues a unit of work's changes in the session: set-based statements, one per kind.</summary>
    public static void Queue(IDocumentOperations operations, CampaignChanges changes)
    {
        string schema = Schema(operations);
        if (changes.Unindexed.Count > 0)
            operations.QueueSqlCommand($"delete from {schema}.{Keys} where report_id = any(?)", changes.Unindexed.ToArray());
        if (changes.Keys.Count > 0)
            operations.QueueSqlCommand($"insert into {schema}.{Keys} (key, occurred_at, report_id) select * from unnest(?::bigint[], ?::timestamptz[], ?::uuid[])",
                changes.Keys.Select(k => k.Key).ToArray(), changes.Keys.Select(k => k.At).ToArray(), changes.Keys.Select(k => k.Id).ToArray());
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
