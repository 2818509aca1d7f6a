using Takedowns.Contracts;
using Takedowns.Contracts.Escalation;
using Takedowns.Escalation.Packets;

namespace Takedowns.Escalation.Tests.Packets;

/// <summary>The routes table as shipped, and the rule that the first rule holding chooses the route.</summary>
public sealed class RemedyRoutesTests
{
    private static CaseFacts Facts(string country, GroundCategory category, Platform platform = Platform.YouTube) => new(
        platform, new CaseAccount("@a", null, null), SubjectType.Journalist, country, null, null, TakedownAction.AccountSuspended,
        new CaseGround(category, null, null, null, null, null), new DateOnly(2026, 11, 1), null, null, DateTimeOffset.UnixEpoch, [], null, null, false);

    [Theory]
    [InlineData("KZ", GroundCategory.IntellectualProperty, false, "copyright_counter_notice")]
    [InlineData("FR", GroundCategory.IntellectualProperty, true, "copyright_counter_notice")]
    [InlineData("FR", GroundCategory.CommunityStandards, true, "dsa_article_23")]
    [InlineData("FR", GroundCategory.CommunityStandards, false, "dsa_article_20")]
    [InlineData("LV", GroundCategory.Spam, false, "dsa_article_20")]
    [InlineData("KZ", GroundCategory.CommunityStandards, true, "platform_appeal")]
    [InlineData("UZ", GroundCategory.GovernmentRequest, false, "platform_appeal")]
    public void the_first_rule_that_holds_chooses_the_route(string country, GroundCategory category, bool campaign, string route) =>
        Assert.Equal(route, RemedyRoutes.Shipped.Propose(Facts(country, category), campaign));

    [Fact]
    public void the_shipped_table_is_consistent_and_names_every_route_in_english_and_russian()
    {
        var table = RemedyRoutes.Shipped;
        table.Check();
        Assert.Equal(27, table.DsaRecipients.Count);
        Assert.All(table.Routes.Values, r => Assert.True(r.Name.ContainsKey("en") && r.Name.ContainsKey("ru") && r.Basis.Length > 0));
        Assert.Equal(5, table.Routes["copyright_counter_notice"].Elements.Count);
        Assert.Equal(7, table.AnswerDays(Platform.VK));
    }

    [Fact]
    public void a_table_whose_rule_names_a_missing_route_or_that_may_choose_nothing_is_refused()
    {
        var shipped = RemedyRoutes.Shipped;
        Assert.Throws<InvalidOperationException>(() => (shipped with { Rules = [.. shipped.Rules, new RemedyRule(new RemedyCondition(), "fax")] }).Check());
        Assert.Throws<InvalidOperationException>(() => (shipped with { Rules = shipped.Rules.Take(shipped.Rules.Count - 1).ToList() }).Check());
        Assert.Throws<InvalidOperationException>(() => (shipped with { AnswerWithinDays = new Dictionary<string, int>() }).Check());
    }
}
