using System.Net;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Webhooks;

public sealed class ReceiveWebhookTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    private async Task<(IntakeHost.Organisation Org, IntakeHost.Source Source, WebhookSigner Signer)> SourceAsync()
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);
        return (org, source, new WebhookSigner(source.Secret));
    }

    [Fact]
    public async Task signed_webhook_is_stored_and_readable_by_its_organisation()
    {
        var (org, source, signer) = await SourceAsync();
        string body = SampleReports.Body(country: "KZ", handle: "@kz_daily");

        using var response = await host.CreateClient().SendAsync(signer.Request($"/webhooks/{source.SourceId}", body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Guid reportId = await IntakeHost.ReportIdOf(response);
        using var read = await host.CreateClient(org.ApiKey).GetAsync($"/api/reports/{reportId}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var json = JsonDocument.Parse(await read.Content.ReadAsStringAsync());
        Assert.Equal("@kz_daily", json.RootElement.GetProperty("account").GetProperty("handle").GetString());
        Assert.Equal("webhook", json.RootElement.GetProperty("channel").GetString());
        Assert.Equal("intellectual_property", json.RootElement.GetProperty("ground").GetProperty("category").GetString());
        Assert.Equal(source.SourceId, json.RootElement.GetProperty("sourceId").GetGuid());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task a_signed_webhook_of_another_content_type_gets_415_not_401_and_stores_nothing(string contentType)
    {
        // The fuzz suite's failing input: routing's own refusal of the content type was answered 401, as a bad signature.
        var (_, source, signer) = await SourceAsync();
        long stored = await host.StoredEventCountAsync();

        using var response = await host.CreateClient().SendAsync(
            signer.Request($"/webhooks/{source.SourceId}", System.Text.Encoding.UTF8.GetBytes(SampleReports.Body()), contentType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(stored, await host.StoredEventCountAsync());
    }

    [Fact]
    public async Task forged_unsigned_stale_and_unknown_source_webhooks_are_refused_and_store_nothing()
    {
        var (_, source, signer) = await SourceAsync();
        var forger = new WebhookSigner(Intake.Webhooks.WebhookSignature.NewSecret());
        string body = SampleReports.Body();
        string path = $"/webhooks/{source.SourceId}";
        long before = await host.StoredEventCountAsync();

        var unsigned = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body) };
        var attempts = new[]
        {
            forger.Request(path, body),
            unsigned,
            signer.Request(path, body, at: DateTimeOffset.UtcNow.AddMinutes(-6)),
            signer.Request(path, body, at: DateTimeOffset.UtcNow.AddMinutes(6)),
            signer.Request(path, body, signature: "v1,dawfeoifkpqwoekfpqoekf"),
            signer.Request($"/webhooks/{Guid.NewGuid()}", body),
        };
        foreach (var attempt in attempts)
        {
            using var response = await host.CreateClient().SendAsync(attempt);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(before, await host.StoredEventCountAsync());
    }

    [Fact]
    public async Task a_body_changed_after_signing_is_refused()
    {
        var (_, source, signer) = await SourceAsync();
        var request = signer.Request($"/webhooks/{source.SourceId}", SampleReports.Body(country: "KZ"));
        request.Content = new StringContent(SampleReports.Body(country: "UZ"), System.Text.Encoding.UTF8, "application/json");
        using var response = await host.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task replayed_webhook_returns_the_same_report_and_stores_nothing()
    {
        var (_, source, signer) = await SourceAsync();
        string body = SampleReports.Body();
        const string id = "msg_replayed_once";
        using var first = await host.CreateClient().SendAsync(signer.Request($"/webhooks/{source.SourceId}", body, id));
        Guid reportId = await IntakeHost.ReportIdOf(first);
        long after = await host.StoredEventCountAsync();

        using var again = await host.CreateClient().SendAsync(signer.Request($"/webhooks/{source.SourceId}", body, id));

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(reportId, await IntakeHost.ReportIdOf(again));
        Assert.Equal(after, await host.StoredEventCountAsync());
    }

    [Fact]
    public async Task the_same_webhook_id_from_another_source_is_another_report()
    {
        var (_, a, signerA) = await SourceAsync();
        var (_, b, signerB) = await SourceAsync();
        using var first = await host.CreateClient().SendAsync(signerA.Request($"/webhooks/{a.SourceId}", SampleReports.Body(), "msg_shared"));
        using var second = await host.CreateClient().SendAsync(signerB.Request($"/webhooks/{b.SourceId}", SampleReports.Body(), "msg_shared"));
        Assert.NotEqual(await IntakeHost.ReportIdOf(first), await IntakeHost.ReportIdOf(second));
    }

    [Fact]
    public async Task concurrent_deliveries_of_one_webhook_make_one_report()
    {
        var (_, source, signer) = await SourceAsync();
        string body = SampleReports.Body();
        long before = await host.StoredEventCountAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            host.CreateClient().SendAsync(signer.Request($"/webhooks/{source.SourceId}", body, "msg_concurrent"))));
        var ids = await Task.WhenAll(responses.Select(IntakeHost.ReportIdOf));
        Assert.Single(ids.Distinct());
        Assert.Equal(before + 1, await host.StoredEventCountAsync());
    }

    [Fact]
    public async Task a_signed_but_invalid_report_gets_a_problem_naming_the_fields_and_stores_nothing()
    {
        var (_, source, signer) = await SourceAsync();
        long before = await host.StoredEventCountAsync();
        using var response = await host.CreateClient().SendAsync(
            signer.Request($"/webhooks/{source.SourceId}", SampleReports.Body(country: "Kazakhstan", platform: "myspace")));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = json.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("country", out _));
        Assert.True(errors.TryGetProperty("platform", out _));
        Assert.Equal(before, await host.StoredEventCountAsync());
    }
}
