using Takedowns.Contracts;
using Takedowns.Publishing.Campaigns;

namespace Takedowns.Publishing.Tests.Campaigns;

public sealed class PublicCampaignTests
{
    private static readonly DateTimeOffset Day = new(2026, 10, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void a_newer_revision_replaces_what_the_campaign_holds()
    {
        var c = new PublicCampaign();
        c.Hold(2, 6, ["AM", "KZ"], [Platform.Telegram, Platform.YouTube], Day, Day.AddDays(2));
        c.Hold(3, 5, ["KZ"], [Platform.YouTube], Day.AddDays(1), Day.AddDays(2));
        Assert.Equal((5, 3L), (c.ReportCount, c.Revision));
        Assert.Equal(["KZ"], c.Countries);
        Assert.Equal([Platform.YouTube], c.Platforms);
        Assert.Equal(new DateOnly(2026, 10, 6), c.FirstSeen);
    }

    [Fact]
    public void an_older_revision_arriving_late_changes_nothing()
    {
        var c = new PublicCampaign();
        c.Hold(3, 5, ["KZ"], [Platform.YouTube], Day, Day);
        c.Hold(2, 6, ["AM", "KZ"], [Platform.Telegram, Platform.YouTube], Day, Day);
        c.Hold(1, 6, ["AM", "KZ"], [Platform.Telegram, Platform.YouTube], Day, Day);
        Assert.Equal((5, 3L), (c.ReportCount, c.Revision));
        Assert.Equal(["KZ"], c.Countries);
    }

    [Fact]
    public void a_message_without_a_revision_is_applied_as_it_comes()
    {
        var c = new PublicCampaign();
        c.Hold(1, 6, ["KZ"], [Platform.YouTube], Day, Day);
        c.Hold(null, 8, null, null, null, null);
        Assert.Equal((8, 1L), (c.ReportCount, c.Revision));
        Assert.Equal(["KZ"], c.Countries);
    }
}
