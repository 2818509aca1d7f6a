using System.Net;
using System.Text;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Reports;

/// <summary>
/// Text that is not Unicode — bytes that are not UTF-8, or an escaped unpaired surrogate ("\ud800") — in the bodies read as
/// a JSON tree (an amendment, a mapped webhook's payload, a mapping's constant): a JSON tree takes such text and throws
/// only when it is read, which answered 500. Each is the client's mistake, with the field named, and stores nothing.
/// </summary>
public sealed class InvalidTextTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    // The fuzz suite's failing inputs: an escaped unpaired surrogate, reversed surrogates, and bytes that are not UTF-8.
    public static TheoryData<byte[]> NotUnicode => new()
    {
        Encoding.UTF8.GetBytes("\"\\ud800\\u0041\""),
        Encoding.UTF8.GetBytes("\"\\udc00\\ud800\""),
        new byte[] { (byte)'"', (byte)'x', 0xED, 0xBF, 0xBF, (byte)'y', (byte)'"' },
        new byte[] { (byte)'"', (byte)'x', 0x80, (byte)'y', (byte)'"' },
    };

    private static byte[] Json(string before, byte[] value, string after) => [.. Encoding.UTF8.GetBytes(before), .. value, .. Encoding.UTF8.GetBytes(after)];

    private static ByteArrayContent Content(byte[] body, string type)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
        return content;
    }

    [Theory]
    [MemberData(nameof(NotUnicode))]
    public async Task an_amendment_with_text_that_is_not_unicode_is_refused_naming_the_field_and_changes_nothing(byte[] text)
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        using var created = await client.SendAsync(IntakeHost.NewReport(SampleReports.Body()));
        Guid reportId = await IntakeHost.ReportIdOf(created);
        long stored = await host.StoredEventCountAsync();

        using var patch = await client.PatchAsync($"/api/reports/{reportId}",
            Content(Json($$"""{"evidence":[{"sha256":"{{new string('a', 64)}}","mediaType":"image/png","caption":""", text, "}]}"), "application/merge-patch+json"));

        await Problems.AssertNamesFieldAsync(patch, "evidence[0].caption");
        Assert.Equal(stored, await host.StoredEventCountAsync());
    }

    [Theory]
    [MemberData(nameof(NotUnicode))]
    public async Task a_mapped_webhook_with_text_that_is_not_unicode_gets_422_naming_the_field_and_pointer_and_stores_nothing(byte[] text)
    {
        var org = await host.RegisterOrganisationAsync();
        var mapped = await host.AddSourceAsync(org.OrganisationId);
        using (var set = await host.PutMappingAsync(org.OrganisationId, mapped.SourceId, IntakeHost.WhoWhenMapping))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        long stored = await host.StoredEventCountAsync();

        using var response = await host.CreateClient().SendAsync(
            new WebhookSigner(mapped.Secret).Request($"/webhooks/{mapped.SourceId}", Json("""{"who":""", text, ""","when":"2026-11-03"}"""), "application/json"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("account.handle", problem.RootElement.GetProperty("field").GetString());
        Assert.Equal("/who", problem.RootElement.GetProperty("pointer").GetString());
        Assert.Equal(stored, await host.StoredEventCountAsync());
    }

    [Fact]
    public async Task a_mapping_whose_constant_is_not_unicode_is_refused_naming_it()
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);

        using var response = await host.PutMappingAsync(org.OrganisationId, source.SourceId,
            IntakeHost.WhoWhenMapping.Replace("""{"value":"cso"}""", """{"value":"cso\ud800"}"""));

        await Problems.AssertNamesFieldAsync(response, "fields.subjectType.value");
    }
}
