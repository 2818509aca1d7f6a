using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Campaigns;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>Campaign detection's own tables, written and read back through the backend on the real PostgreSQL.</summary>
public sealed class PostgresCampaignBackendTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private static readonly DateTimeOffset At = new(2026, 9, 14, 9, 0, 0, TimeSpan.Zero);
    /// <summary>Profiles are written set-based, as the service writes them; Marten reads them back as its own documents.</summary>
    private readonly DocumentRows<NoticeProfile, Guid> _profiles = new(p => p.Id);

    [Fact]
    public async Task what_a_unit_of_work_writes_is_read_back_typed()
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        Guid near = Guid.NewGuid(), far = Guid.NewGuid(), later = Guid.NewGuid(), gone = Guid.NewGuid(), yesterday = Guid.NewGuid();
        long key = Random.Shared.NextInt64(), big = long.MaxValue - 7, negative = -42;
        // An offset other than UTC, as reports carry them: stored and compared as the same instant.
        var plusFive = At.ToOffset(TimeSpan.FromHours(5));
        var changes = new CampaignChanges(
            new Dictionary<long, long> { [big] = 3, [negative] = 12 },
            [],
            [(key, At.AddHours(-2), near), (key, At.AddDays(-8), far), (key, plusFive.AddHours(1), later), (key, At.AddHours(-1), gone), (key, At.AddHours(-10), yesterday)],
            [],
            [],
            [],
            new Dictionary<(string, DateOnly), long> { [("youtube|Copyright", new DateOnly(2026, 9, 14))] = 4, [("youtube|Copyright", new DateOnly(2026, 9, 13))] = 1 });
        await using (var session = store.LightweightSession())
        {
            await PostgresCampaignBackend.QueueAsync(session, changes, _profiles, CancellationToken.None);
            await session.SaveChangesAsync();
        }
        await using (var session = store.LightweightSession())
        {
            await PostgresCampaignBackend.QueueAsync(session, changes with { Keys = [], Days = new Dictionary<(string, DateOnly), long>(), Counts = new Dictionary<long, long> { [big] = 1 }, Unindexed = [(key, At.AddHours(-1), gone)] }, _profiles, CancellationToken.None);
            await session.SaveChangesAsync();
        }

        await using var reading = store.LightweightSession();
        var backend = new PostgresCampaignBackend(reading);
        var counts = await backend.CountsAsync([big, negative, 5], CancellationToken.None);
        Assert.Equal(new Dictionary<long, long> { [big] = 4, [negative] = 12 }, counts);

        var found = await backend.CandidatesAsync([(key, plusFive), (key + 1, At)], TimeSpan.FromDays(7), 16, CancellationToken.None);
        Assert.Equal([(0, near), (0, yesterday), (0, later)], found.OrderBy(f => f.Id == later).ThenBy(f => f.Id == yesterday));
        Assert.Single(await backend.CandidatesAsync([(key, At)], TimeSpan.FromDays(7), 0 + 1, CancellationToken.None), f => f.Id == near);

        // What detection keeps in memory is loaded from the same rows, by the days (UTC) of the reports' times.
        int day = RecentState.DayOf(At.UtcTicks);
        Assert.Equal(20_710, day); // 2026-09-14
        var recent = await backend.KeysOnDaysAsync([day, day + 1], CancellationToken.None).Where(k => k.Key == key).ToListAsync();
        Assert.Equal([(key, At.AddHours(-2), near), (key, plusFive.AddHours(1).ToUniversalTime(), later)], recent.OrderBy(k => k.At));

        var days = await backend.StratumDaysAsync("youtube|Copyright", CancellationToken.None);
        Assert.Equal([(new DateOnly(2026, 9, 13), 1L), (new DateOnly(2026, 9, 14), 4L)], days.OrderBy(d => d.Day));
        Assert.Empty(await backend.StratumDaysAsync("telegram|Copyright", CancellationToken.None));
    }

    [Fact]
    public async Task the_service_queries_postgresql_without_compiling_them()
    {
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        Assert.Equal(["off"], await session.AdvancedSql.QueryAsync<string>("select current_setting('jit')", CancellationToken.None));
    }

    [Fact]
    public async Task keys_an_earlier_version_stored_a_row_each_are_moved_into_a_row_per_report_and_then_found()
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        long key = Random.Shared.NextInt64(), other = key ^ 1;
        Guid before = Guid.NewGuid(), midnight = Guid.NewGuid();
        string earlier = $"{store.Options.DatabaseSchemaName}.{PostgresCampaignBackend.EarlierKeys}";
        int day = RecentState.DayOf(At.UtcTicks);
        await using (var session = store.LightweightSession())
        {
            // As earlier versions kept them: a row per key, and in the oldest no day.
            session.QueueSqlCommand($"create table {earlier} (key bigint not null, occurred_at timestamptz not null, report_id uuid not null, day int)");
            session.QueueSqlCommand($"insert into {earlier} (key, occurred_at, report_id, day) values (?, ?, ?, null), (?, ?, ?, null), (?, ?, ?, ?)",
                key, At.AddHours(-9).AddSeconds(-1), before, other, At.AddHours(-9).AddSeconds(-1), before, key, At.AddHours(-9), midnight, day);
            await session.SaveChangesAsync();
        }
        Assert.Equal(3, await PostgresCampaignBackend.MoveEarlierKeysAsync(store, CancellationToken.None));

        await using (var reading = store.LightweightSession())
        {
            var backend = new PostgresCampaignBackend(reading);
            Assert.Equal([(key, before), (other, before)],
                await backend.KeysOnDaysAsync([day - 1], CancellationToken.None).Where(k => k.Key == key || k.Key == other).Select(k => (k.Key, k.Id)).OrderBy(k => k.Key == other).ToListAsync());
            Assert.Equal([midnight], await backend.KeysOnDaysAsync([day], CancellationToken.None).Where(k => k.Key == key).Select(k => k.Id).ToListAsync());
            var found = await backend.CandidatesAsync([(key, At)], TimeSpan.FromDays(1), 8, CancellationToken.None);
            Assert.Equal(new[] { before, midnight }.Order(), found.Select(f => f.Id).Order());
            Assert.Equal([false], await reading.AdvancedSql.QueryAsync<bool>($"select to_regclass('{earlier}') is not null", CancellationToken.None));
        }
        Assert.Equal(0, await PostgresCampaignBackend.MoveEarlierKeysAsync(store, CancellationToken.None));
    }

    [Fact]
    public async Task a_revised_report_is_indexed_under_its_new_keys_only_and_a_retracted_one_under_none()
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var reportId = Guid.NewGuid();
        NoticeReport Revision(long revision, string text) => new(reportId, Guid.NewGuid(), null, "KZ", Platform.YouTube, SubjectType.Journalist,
            GroundCategory.IntellectualProperty, DateOnly.FromDateTime(At.UtcDateTime), At.ToOffset(TimeSpan.FromHours(5)), "r-1",
            new ReportNotice("copyright", $"Claimant {revision}", text, null), revision);
        async Task<NoticeProfile?> ApplyAsync(Func<CampaignEngine, Task> step)
        {
            await using var session = store.LightweightSession();
            var state = new CampaignState(new PostgresCampaignBackend(session));
            await step(new CampaignEngine(state, CampaignSettings.Default));
            await PostgresCampaignBackend.QueueAsync(session, state.Changes(), _profiles, CancellationToken.None);
            await session.SaveChangesAsync();
            return await state.ProfileAsync(reportId, CancellationToken.None);
        }
        async Task<HashSet<long>> IndexedAsync()
        {
            await using var session = store.QuerySession();
            string table = $"{store.Options.DatabaseSchemaName}.{PostgresCampaignBackend.Keys}";
            return (await session.AdvancedSql.QueryAsync<long>($"select unnest(keys) from {table} where report_id = ?", CancellationToken.None, reportId)).ToHashSet();
        }

        var first = await ApplyAsync(e => e.ObserveAsync(PreparedNotice.Of(Revision(1,
            "Your video uses footage of the evening news broadcast of the fourteenth without a licence and has been removed.")), At, CancellationToken.None));
        Assert.NotEmpty(first!.Keys());
        Assert.Equal(first.Keys().ToHashSet(), await IndexedAsync());
        async Task<NoticeProfile?> StoredAsync()
        {
            await using var session = store.QuerySession();
            return await session.LoadAsync<NoticeProfile>(reportId, CancellationToken.None);
        }
        Assert.Equal(first.Keys(), (await StoredAsync())!.Keys());

        var second = await ApplyAsync(e => e.ObserveAsync(PreparedNotice.Of(Revision(2,
            "A trademark complaint names the channel logo; the complainant says the mark was registered in March by another company.")), At, CancellationToken.None));
        Assert.NotEqual(first.Keys().ToHashSet(), second!.Keys().ToHashSet());
        Assert.Equal(second.Keys().ToHashSet(), await IndexedAsync());
        var stored = await StoredAsync();
        Assert.Equal(second.Keys(), stored!.Keys());
        Assert.Equal(second.Revision, stored.Revision);

        await ApplyAsync(e => e.RetractAsync(reportId, CancellationToken.None));
        Assert.Empty(await IndexedAsync());
    }
}
