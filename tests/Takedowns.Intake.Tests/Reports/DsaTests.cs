using Takedowns.Contracts;
using Takedowns.Intake.Reports;

namespace Takedowns.Intake.Tests.Reports;

public sealed class DsaTests
{
    private static ReportDraft Draft(TakedownAction action, GroundCategory category, DsaStatement? dsa = null) =>
        new(null, Platform.YouTube, new Account("@a", null, null), SubjectType.Blogger, "KZ", action,
            new Ground(category, null, null, null), new DateOnly(2026, 11, 20), null, Dsa: dsa);

    [Fact]
    public void a_copyright_suspension_maps_to_illegal_content_and_an_account_decision()
    {
        var view = Dsa.Derive(Draft(TakedownAction.AccountSuspended, GroundCategory.IntellectualProperty));
        Assert.Equal("DECISION_ACCOUNT_SUSPENDED", view.Statement.DecisionAccount);
        Assert.Equal("DECISION_GROUND_ILLEGAL_CONTENT", view.Statement.DecisionGround);
        Assert.Equal("STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", view.Statement.Category);
        Assert.Equal(["KEYWORD_COPYRIGHT_INFRINGEMENT"], view.Statement.CategorySpecification);
        Assert.Contains("decisionAccount", view.DerivedFields);
    }

    [Fact]
    public void given_values_win_over_derived_ones_and_are_not_listed_as_derived()
    {
        var given = new DsaStatement(DecisionGround: "DECISION_GROUND_INCOMPATIBLE_CONTENT", Puid: "p-1");
        var view = Dsa.Derive(Draft(TakedownAction.ContentRemoved, GroundCategory.IntellectualProperty, given));
        Assert.Equal("DECISION_GROUND_INCOMPATIBLE_CONTENT", view.Statement.DecisionGround);
        Assert.Equal(["DECISION_VISIBILITY_CONTENT_REMOVED"], view.Statement.DecisionVisibility);
        Assert.DoesNotContain("decisionGround", view.DerivedFields);
        Assert.Equal("p-1", view.Statement.Puid);
    }

    [Fact]
    public void a_compromised_account_with_an_unknown_ground_maps_to_nothing()
    {
        var view = Dsa.Derive(Draft(TakedownAction.AccountCompromised, GroundCategory.Unknown));
        Assert.Empty(view.DerivedFields);
        Assert.Equal(new DsaStatement(), view.Statement);
    }

    [Fact]
    public void every_action_and_ground_maps_into_the_vocabulary()
    {
        foreach (var action in Enum.GetValues<TakedownAction>())
        foreach (var category in Enum.GetValues<GroundCategory>())
        {
            var errors = new Takedowns.ServiceDefaults.ValidationErrors();
            Dsa.Validate(Dsa.Implied(action, new Ground(category, null, null, null)), errors);
            Assert.True(errors.IsEmpty, $"{action}/{category}");
        }
    }
}
