using Microsoft.Extensions.Logging.Abstractions;
using Takedowns.Correlation.Campaigns;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>Which profiles and background counts campaign detection holds in memory between pages.</summary>
public sealed class RecentProfilesTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static NoticeProfile Profile(Guid id, string text) => new() { Id = id, Country = "KZ", OccurredAt = At, Text = text };

    private static CampaignChanges Writes(params NoticeProfile[] profiles) =>
        new(new Dictionary<long, long>(), profiles, [], [], [], [], new Dictionary<(string, DateOnly), long>());

    private static CampaignChanges Adds(params (long Key, long By)[] counts) =>
        new(counts.ToDictionary(c => c.Key, c => c.By), [], [], [], [], [], new Dictionary<(string, DateOnly), long>());

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

    [Fact]
    public async Task a_profile_a_page_used_from_memory_is_kept_longer_than_one_no_page_used()
    {
        var store = new StoredCampaignBackend();
        var ids = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToArray();
        store.Apply(Writes(ids.Select(id => Profile(id, "stored")).ToArray()));
        var recent = new RecentState(maxKeys: 1_000, maxProfiles: 3, NullLogger.Instance);

        var first = await recent.BeginAsync(0, store, [], CancellationToken.None);
        await first.ProfilesAsync(ids[..3], CancellationToken.None); // held in this order: 0, 1, 2
        await CommitAsync(recent, 10, Writes());
        var second = await recent.BeginAsync(10, store, [], CancellationToken.None);
        await second.ProfilesAsync([ids[0]], CancellationToken.None); // used again: now the most recent
        await CommitAsync(recent, 20, Writes());
        var third = await recent.BeginAsync(20, store, [], CancellationToken.None);
        await third.ProfilesAsync([ids[3]], CancellationToken.None); // read: the least recently used (1) is let go
        await CommitAsync(recent, 30, Writes());
        Assert.Equal((1, 4), recent.ProfilesRead);

        var fourth = await recent.BeginAsync(30, store, [], CancellationToken.None);
        await fourth.ProfilesAsync([ids[0], ids[2], ids[3]], CancellationToken.None);
        Assert.Equal((4, 4), recent.ProfilesRead);
        await fourth.ProfilesAsync([ids[1]], CancellationToken.None);
        Assert.Equal((4, 5), recent.ProfilesRead);
    }

    [Fact]
    public async Task counts_a_committed_page_read_are_answered_from_memory_with_what_it_added()
    {
        var store = new StoredCampaignBackend();
        store.Apply(Adds((1, 5), (2, 7)));
        var recent = new RecentState(maxKeys: 1_000, maxProfiles: 100, NullLogger.Instance);

        var first = await recent.BeginAsync(0, store, [], CancellationToken.None);
        var read = await first.CountsAsync([1, 2, 3], CancellationToken.None);
        Assert.Equal([5L, 7L, 0L], new[] { read[1], read[2], read[3] });
        Assert.Equal((0, 3), recent.CountsRead);
        // The page adds to a count it read, to one it did not read (4), and to one the table did not hold (3).
        var added = Adds((1, 2), (3, 1), (4, 9));
        store.Apply(added);
        await CommitAsync(recent, 10, added);

        var second = await recent.BeginAsync(10, store, [], CancellationToken.None);
        var held = await second.CountsAsync([1, 2, 3, 4], CancellationToken.None);
        Assert.Equal([7L, 7L, 1L, 9L], new[] { held[1], held[2], held[3], held[4] });
        Assert.Equal((3, 4), recent.CountsRead); // 4 was never read: asked of the table
        // Whatever is held, it matches the table.
        foreach (var (key, value) in await store.CountsAsync([1, 2, 3, 4], CancellationToken.None)) Assert.Equal(value, held[key]);
    }

    [Fact]
    public async Task counts_read_by_a_page_that_never_committed_or_held_by_a_copy_that_no_longer_matches_are_read_again()
    {
        var store = new StoredCampaignBackend();
        store.Apply(Adds((1, 5)));
        var recent = new RecentState(maxKeys: 1_000, maxProfiles: 100, NullLogger.Instance);

        var failed = await recent.BeginAsync(0, store, [], CancellationToken.None);
        await failed.CountsAsync([1], CancellationToken.None);
        _ = await recent.BeginAsync(0, store, [], CancellationToken.None);
        await CommitAsync(recent, 10, Adds());
        var after = await recent.BeginAsync(10, store, [], CancellationToken.None);
        Assert.Equal(5, (await after.CountsAsync([1], CancellationToken.None))[1]);
        Assert.Equal((0, 2), recent.CountsRead);
        await CommitAsync(recent, 20, Adds());

        // Another writer changed the table meanwhile: the next page does not start where the copy ends.
        store.Apply(Adds((1, 100)));
        var elsewhere = await recent.BeginAsync(35, store, [], CancellationToken.None);
        Assert.Equal(105, (await elsewhere.CountsAsync([1], CancellationToken.None))[1]);
        Assert.Equal((0, 3), recent.CountsRead);
    }

    [Fact]
    public async Task counts_held_stay_within_the_limit_those_used_last_kept()
    {
        var store = new StoredCampaignBackend();
        store.Apply(Adds(Enumerable.Range(1, 8).Select(k => ((long)k, (long)k * 10)).ToArray()));
        var recent = new RecentState(maxKeys: 1_000, maxProfiles: 100, NullLogger.Instance, maxCounts: 4);

        long ceiling = 0;
        async Task<IReadOnlyDictionary<long, long>> PageAsync(params long[] keys)
        {
            var page = await recent.BeginAsync(ceiling, store, [], CancellationToken.None);
            var counts = await page.CountsAsync(keys, CancellationToken.None);
            await CommitAsync(recent, ceiling += 10, Adds());
            return counts;
        }
        await PageAsync(1, 2, 3, 4, 5, 6, 7, 8);
        Assert.Equal((0, 8), recent.CountsRead);
        Assert.InRange(recent.CountsHeld, 1, 4);
        // The last read are held, the first let go.
        await PageAsync(8, 7);
        Assert.Equal((2, 8), recent.CountsRead);
        var again = await PageAsync(1, 2, 3, 4);
        Assert.Equal((2, 12), recent.CountsRead);
        Assert.Equal([10L, 20L, 30L, 40L], new[] { again[1], again[2], again[3], again[4] });
        Assert.InRange(recent.CountsHeld, 1, 4);
    }
}
