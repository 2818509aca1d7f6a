using Microsoft.Extensions.Logging.Abstractions;
using Takedowns.Correlation.Campaigns;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>Which profiles campaign detection holds in memory between pages.</summary>
public sealed class RecentProfilesTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static NoticeProfile Profile(Guid id, string text) => new() { Id = id, Country = "KZ", OccurredAt = At, Text = text };

    private static CampaignChanges Writes(params NoticeProfile[] profiles) =>
        new(new Dictionary<long, long>(), profiles, [], [], [], [], new Dictionary<(string, DateOnly), long>());

    private static async Task CommitAsync(RecentState recent, long ceiling, CampaignChanges changes) =>
        await recent.Committed(ceiling, changes).AfterCommitAsync(null!, null!, CancellationToken.None);

    [Fact]
    public async Task a_profile_a_committed_page_read_from_the_tables_is_answered_from_memory_as_the_page_left_it()
    {
        var store = new StoredCampaignBackend();
        var (read, changed) = (Guid.NewGuid(), Guid.NewGuid());
        store.Apply(Writes(Profile(read, "stored"), Profile(changed, "stored")));
        var recent = new RecentState(maxKeys: 1_000, maxProfiles: 100, NullLogger.Instance);

        var first = await recent.BeginAsync(0, store, [], CancellationToken.None);
        Assert.Equal(2, (await first.ProfilesAsync([read, changed], CancellationToken.None)).Count);
        Assert.Equal((0, 2), recent.ProfilesRead);
        // The page changes one of them; the tables take the change when it commits.
        var written = Profile(changed, "written by the page");
        store.Apply(Writes(written));
        await CommitAsync(recent, 10, Writes(written));

        var second = await recent.BeginAsync(10, store, [], CancellationToken.None);
        var held = (await second.ProfilesAsync([read, changed], CancellationToken.None)).ToDictionary(p => p.Id);
        Assert.Equal((2, 2), recent.ProfilesRead);
        Assert.Equal("stored", held[read].Text);
        Assert.Equal("written by the page", held[changed].Text);
    }

    [Fact]
    public async Task what_a_page_that_never_committed_read_is_not_held()
    {
        var store = new StoredCampaignBackend();
        var id = Guid.NewGuid();
        store.Apply(Writes(Profile(id, "stored")));
        var recent = new RecentState(maxKeys: 1_000, maxProfiles: 100, NullLogger.Instance);

        var failed = await recent.BeginAsync(0, store, [], CancellationToken.None);
        await failed.ProfilesAsync([id], CancellationToken.None);
        // The page failed; a later page that commits with nothing read must not bring its reads into memory.
        _ = await recent.BeginAsync(0, store, [], CancellationToken.None);
        await CommitAsync(recent, 10, Writes());
        var after = await recent.BeginAsync(10, store, [], CancellationToken.None);
        await after.ProfilesAsync([id], CancellationToken.None);
        Assert.Equal((0, 2), recent.ProfilesRead);
    }

    [Fact]
    public async Task profiles_held_stay_within_the_limit_the_least_recently_held_let_go_first()
    {
        var store = new StoredCampaignBackend();
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        store.Apply(Writes(ids.Select(id => Profile(id, "stored")).ToArray()));
        var recent = new RecentState(maxKeys: 1_000, maxProfiles: 3, NullLogger.Instance);

        var page = await recent.BeginAsync(0, store, [], CancellationToken.None);
        await page.ProfilesAsync(ids, CancellationToken.None);
        await CommitAsync(recent, 10, Writes());
        var next = await recent.BeginAsync(10, store, [], CancellationToken.None);
        await next.ProfilesAsync(ids[2..], CancellationToken.None);
        Assert.Equal((3, 5), recent.ProfilesRead);
        await next.ProfilesAsync(ids[..2], CancellationToken.None);
        Assert.Equal((3, 7), recent.ProfilesRead);
    }
}
