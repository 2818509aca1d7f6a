using System.Text;
using Takedowns.Contracts;
using Takedowns.Intake.Reports;

namespace Takedowns.Intake.Tests.Reports;

public sealed class ReportValidationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static (ReportDraft? Draft, IDictionary<string, string[]> Errors) Validate(string json)
    {
        var report = ReportValidation.Validate(Encoding.UTF8.GetBytes(json), Now, out var errors);
        Assert.Equal(report is null, !errors.IsEmpty);
        return (report?.Draft, errors.ToDictionary());
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

    private const string Minimal = """
        "platform":"youtube","account":{"handle":"@a"},"subjectType":"blogger","country":"UZ","action":"account_suspended",
        "ground":{"category":"intellectual_property"},"occurredAt":"2026-11-20"
        """;

    [Fact]
    public void the_full_model_is_kept()
    {
        var report = ReportValidation.Validate(Encoding.UTF8.GetBytes($$$"""
            {{{{Minimal}}},"noticedAt":"2026-11-21","language":"uz-Latn","audienceSize":120000,
             "evidence":[{"sha256":"{{{new string('A', 64)}}}","mediaType":"image/PNG","caption":"Notice screenshot"}],
             "consent":{"network":true,"caseStudy":true},
             "reporterContact":{"name":"Sentinel Person","email":"person@example.org","phone":"+998 90 000 00 00","messenger":"@person"},
             "dsa":{"decisionVisibility":["DECISION_VISIBILITY_CONTENT_REMOVED"],"puid":"abc-123","automatedDetection":true}}
            """), Now, out var errors);
        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(p => $"{p.Key}: {string.Join(",", p.Value)}")));
        var d = report!.Draft;
        Assert.Equal(new DateOnly(2026, 11, 21), d.NoticedOn);
        Assert.Equal("uz-Latn", d.Language);
        Assert.Equal(120000, d.AudienceSize);
        Assert.Equal(new string('a', 64), Assert.Single(d.Evidence!).Sha256);
        Assert.Equal("image/png", d.Evidence![0].MediaType);
        Assert.Equal(new Consent(Network: true, Platform: false, PublicStatistics: false, CaseStudy: true), d.Consent);
        Assert.Equal("person@example.org", report.Contact!.Email);
        Assert.Equal("abc-123", d.Dsa!.Puid);
    }

    [Fact]
    public void consent_defaults_to_network_and_anonymised_statistics() =>
        Assert.Equal(Consent.Default, Validate($"{{{Minimal}}}").Draft!.Consent);

    [Theory]
    [InlineData("\"noticedAt\":\"2026-11-19\"", "noticedAt")]
    [InlineData("\"language\":\"Uzbek language\"", "language")]
    [InlineData("\"audienceSize\":-1", "audienceSize")]
    [InlineData("\"audienceSize\":\"many\"", "audienceSize")]
    [InlineData("\"evidence\":[{\"sha256\":\"abc\",\"mediaType\":\"png\"}]", "evidence[0].sha256")]
    [InlineData("\"evidence\":[{\"sha256\":\"abc\",\"mediaType\":\"png\"}]", "evidence[0].mediaType")]
    [InlineData("\"reporterContact\":{\"email\":\"not an address\"}", "reporterContact.email")]
    [InlineData("\"reporterContact\":{\"phone\":\"call me\"}", "reporterContact.phone")]
    [InlineData("\"dsa\":{\"decisionAccount\":\"BANNED\"}", "dsa.decisionAccount")]
    [InlineData("\"dsa\":{\"contentType\":[\"CONTENT_TYPE_VIDEO\",\"VIDEO\"]}", "dsa.contentType")]
    [InlineData("\"dsa\":{\"puid\":\"has spaces\"}", "dsa.puid")]
    [InlineData("\"consent\":{\"public\":true}", "consent.public")]
    public void bad_optional_fields_are_named(string extra, string field) =>
        Assert.Contains(field, Validate($"{{{Minimal},{extra}}}").Errors.Keys);

    [Theory]
    [InlineData("reportId")]
    [InlineData("organisationId")]
    [InlineData("reportedAt")]
    [InlineData("status")]
    public void server_owned_fields_are_refused_by_name(string field)
    {
        var errors = Validate($"{{{Minimal},\"{field}\":\"x\"}}").Errors;
        Assert.Equal("Set by the server; do not send it.", Assert.Single(errors[field]));
    }
}
