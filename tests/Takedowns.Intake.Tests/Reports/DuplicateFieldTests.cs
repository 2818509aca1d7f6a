using System.Net;
using System.Text;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Reports;

/// <summary>
/// A JSON object that gives a field twice is refused, naming the field, everywhere a body is read: which of the two
/// values was meant cannot be known, and readers that keep the first and readers that keep the last would disagree.
/// </summary>
public sealed class DuplicateFieldTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    private static string Twice(string body, string replaced, string with) => body.Replace(replaced, with, StringComparison.Ordinal);

    [Fact]
    public async Task a_report_giving_a_field_twice_is_refused_naming_it_and_stores_nothing()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        long stored = await host.StoredEventCountAsync();
        string body = SampleReports.Body(country: "KZ", handle: "@twice");

        using (var top = await client.SendAsync(IntakeHost.NewReport(Twice(body, "\"country\":\"KZ\"", "\"country\":\"KZ\",\"country\":\"UZ\""))))
            await Problems.AssertNamesFieldAsync(top, "country");
        using (var nested = await client.SendAsync(IntakeHost.NewReport(Twice(body, "\"handle\":\"@twice\"", "\"handle\":\"@twice\",\"handle\":\"@other\""))))
            await Problems.AssertNamesFieldAsync(nested, "account.handle");
        Assert.Equal(stored, await host.StoredEventCountAsync());

        var import = await Imports.ImportTests.ImportAsync(client,
            Twice(body, "\"country\":\"KZ\"", "\"country\":\"KZ\",\"country\":\"UZ\"") + "\n" + SampleReports.Body(handle: "@once") + "\n", "application/x-ndjson");
        Assert.Equal(1, import.GetProperty("accepted").GetInt64());
        var error = Assert.Single(import.GetProperty("errors").EnumerateArray());
        Assert.Equal((1L, "country"), (error.GetProperty("line").GetInt64(), error.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task an_amendment_giving_a_field_twice_is_refused_and_changes_nothing()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        using var created = await client.SendAsync(IntakeHost.NewReport(SampleReports.Body(country: "KZ")));
        Guid reportId = await IntakeHost.ReportIdOf(created);
        long stored = await host.StoredEventCountAsync();

        using var patch = await client.PatchAsync($"/api/reports/{reportId}",
            new StringContent("""{"country":"UZ","country":"KG"}""", Encoding.UTF8, "application/merge-patch+json"));

        await Problems.AssertNamesFieldAsync(patch, "country");
        Assert.Equal(stored, await host.StoredEventCountAsync());
        using var read = JsonDocument.Parse(await client.GetStringAsync($"/api/reports/{reportId}"));
        Assert.Equal("KZ", read.RootElement.GetProperty("country").GetString());
    }

    [Fact]
    public async Task a_mapped_payload_giving_a_field_twice_is_refused()
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);
        using (var set = await host.PutMappingAsync(org.OrganisationId, source.SourceId, IntakeHost.WhoWhenMapping))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        long stored = await host.StoredEventCountAsync();

        using var response = await host.CreateClient().SendAsync(new WebhookSigner(source.Secret).Request(
            $"/webhooks/{source.SourceId}", """{"who":"@first","who":"@second","when":"2026-11-03"}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("'who' more than once", await response.Content.ReadAsStringAsync());
        Assert.Equal(stored, await host.StoredEventCountAsync());
    }
}
