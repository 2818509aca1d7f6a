using System.Text;
using Takedowns.Contracts;
using Takedowns.Intake.Reports;

namespace Takedowns.Intake.Tests.Reports;

public sealed class ReportValidationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static (ReportDraft? Draft, IDictionary<string, string[]> Errors) Validate(string json)
    {
        var draft = ReportValidation.Validate(Encoding.UTF8.GetBytes(json), Now, out var errors);
        return (draft, errors.ToDictionary());
    }

    [Fact]
    public void a_complete_report_becomes_a_draft_with_normalised_values()
    {
        var (draft, errors) = Validate("""
            {"externalId":"case-17","platform":"ok","account":{"handle":" @voice ","url":"https://ok.ru/voice","platformId":"123"},
             "subjectType":"human_rights_defender","country":"kg","action":"content_removed",
             "ground":{"category":"government_request","policy":"Local law","noticeText":"Removed","claimant":"Agency"},
             "occurredAt":"2026-11-26T23:30:00+06:00"}
            """);
        Assert.Empty(errors);
        Assert.NotNull(draft);
        Assert.Equal(Platform.Odnoklassniki, draft.Platform);
        Assert.Equal("@voice", draft.Account.Handle);
        Assert.Equal("KG", draft.Country);
        Assert.Equal(SubjectType.HumanRightsDefender, draft.SubjectType);
        Assert.Equal(GroundCategory.GovernmentRequest, draft.Ground.Category);
        Assert.Equal(new DateOnly(2026, 11, 26), draft.OccurredOn); // 17:30 UTC
    }

    [Fact]
    public void every_bad_field_is_named_in_one_answer()
    {
        var (draft, errors) = Validate("""
            {"platform":"myspace","account":{"url":"ftp://x"},"subjectType":"celebrity","country":"XX","action":"banned",
             "ground":{"category":"copyright"},"occurredAt":"yesterday"}
            """);
        Assert.Null(draft);
        Assert.Equal(
            new[] { "account.handle", "account.url", "action", "country", "ground.category", "occurredAt", "platform", "subjectType" },
            errors.Keys.Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void missing_objects_are_named() =>
        Assert.Equal(
            new[] { "account", "action", "country", "ground", "occurredAt", "platform", "subjectType" },
            Validate("{}").Errors.Keys.Order(StringComparer.Ordinal).ToArray());

    [Theory]
    [InlineData("""{"platform":"x","unexpected":1}""", "unexpected")]
    [InlineData("""{"account":{"handle":"a","followers":3}}""", "account.followers")]
    [InlineData("""{"account":"@a"}""", "account")]
    [InlineData("""{"platform":""", "body")]
    [InlineData("""{"platform":"x",""", "body")]
    [InlineData("", "body")]
    [InlineData("null", "body")]
    public void malformed_json_names_the_field(string json, string field) =>
        Assert.Contains(field, Validate(json).Errors.Keys);

    [Theory]
    [InlineData("2026-11-29")]
    [InlineData("2026-12-30T00:00:00Z")]
    [InlineData("1999-12-31")]
    [InlineData("2026-11-20T10:00:00")]
    [InlineData("20.11.2026")]
    public void implausible_or_ambiguous_dates_are_refused(string occurredAt) =>
        Assert.Contains("occurredAt", Validate($$"""{"occurredAt":"{{occurredAt}}"}""").Errors.Keys);
}
