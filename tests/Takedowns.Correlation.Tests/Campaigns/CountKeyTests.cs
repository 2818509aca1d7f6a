using Takedowns.Correlation.Campaigns;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>A background count's name hashed as it is written, without building the string.</summary>
public sealed class CountKeyTests
{
    [Fact]
    public void an_interpolated_name_hashes_as_the_same_text_built_as_a_string()
    {
        string platform = "youtube", claimant = "acme media group";
        ulong line = 0x00ab_cdef_0123_4567;
        var day = new DateOnly(2026, 3, 1);

        Assert.Equal(CountKey.Of("claimant:" + platform + ":" + claimant), CountKey.Of($"claimant:{platform}:{claimant}"));
        Assert.Equal(CountKey.Of("lineday:00abcdef01234567:2026-03-01"), CountKey.Of($"lineday:{line:x16}:{day:yyyy-MM-dd}"));
        Assert.NotEqual(CountKey.Of("n:youtube"), CountKey.Of("n:tiktok"));
    }

    [Fact]
    public void a_name_longer_than_the_stack_buffer_hashes_whole()
    {
        string longClaimant = string.Concat(Enumerable.Repeat("very long claimant name ", 40)); // 960 characters
        string domain = "catalogue.example";

        long hashed = CountKey.Of($"claimant-domain:youtube:{longClaimant}|{domain}");

        Assert.Equal(CountKey.Of("claimant-domain:youtube:" + longClaimant + "|" + domain), hashed);
        Assert.NotEqual(CountKey.Of("claimant-domain:youtube:" + longClaimant + "|other.example"), hashed);
    }

    [Fact]
    public void hashing_an_interpolated_name_allocates_nothing()
    {
        string platform = "youtube", policy = "youtube copyright policy";
        CountKey.Of($"policy:{platform}:{policy}"); // first call: nothing left to load

        long before = GC.GetAllocatedBytesForCurrentThread();
        long key = CountKey.Of($"policy:{platform}:{policy}");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(CountKey.Of("policy:youtube:youtube copyright policy"), key);
    }
}
