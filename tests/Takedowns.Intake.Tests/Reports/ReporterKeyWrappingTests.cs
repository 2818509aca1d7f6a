using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Takedowns.Intake.Reports;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Reports;

/// <summary>
/// Each report's contact key is wrapped by a key kept outside the database: a copy of the database alone opens no
/// contact data; the wrapping key can be rotated, and every stored key rewrapped, without losing one.
/// </summary>
public sealed class ReporterKeyWrappingTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    private static ReporterKeys Keys(string secretsKey, string? reporterKeys = null) => new(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["TAKEDOWNS_SECRETS_KEY"] = secretsKey, [ReporterKeys.Setting] = reporterKeys })
        .Build());

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static readonly ReporterContact Contact = new("Aigerim Nurlanovna", "aigerim@example.org", "+7 701 000 0000", "@aigerim_n");

    [Fact]
    public void a_key_wrapped_under_one_configuration_opens_only_where_its_wrapping_key_is_configured()
    {
        var reportId = Guid.NewGuid();
        string secrets = NewKey(), rotated = NewKey();
        var before = Keys(secrets);
        var (sealedContact, key) = ReporterVault.Seal(reportId, Contact, before);

        Assert.StartsWith("w1:", key.Key);
        Assert.Equal(Contact, ReporterVault.Open(reportId, sealedContact, key, before));
        // A new wrapping key first, the old one still configured: old keys open, new ones are wrapped by the new key.
        var during = Keys(secrets, rotated);
        Assert.Equal(Contact, ReporterVault.Open(reportId, sealedContact, key, during));
        var rewrapped = key with { Key = during.Wrap(reportId, during.Unwrap(reportId, key.Key)) };
        Assert.True(during.IsCurrent(rewrapped.Key));
        Assert.False(during.IsCurrent(key.Key));
        // The old key dropped (another secrets key, say): what was rewrapped opens, what was not does not.
        var after = Keys(NewKey(), rotated);
        Assert.Equal(Contact, ReporterVault.Open(reportId, sealedContact, rewrapped, after));
        Assert.Throws<CryptographicException>(() => ReporterVault.Open(reportId, sealedContact, key, after));
        // Bound to its report: the same wrapped key under another report's id opens nothing.
        Assert.ThrowsAny<CryptographicException>(() => ReporterVault.Open(Guid.NewGuid(), sealedContact, key, before));
    }

    [Fact]
    public async Task a_copy_of_the_database_alone_opens_no_contact_and_a_rewrap_keeps_every_contact()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        string body = SampleReports.Body(handle: "@wrapped").TrimEnd('}') +
                      ""","reporterContact":{"name":"Aigerim Nurlanovna","email":"aigerim@example.org"}}""";
        using var created = await client.SendAsync(IntakeHost.NewReport(body));
        Guid reportId = await IntakeHost.ReportIdOf(created);
        string stored = (await Database.ColumnAsync($"select data->>'key' from \"{host.Schema}\".mt_doc_reporterkey where id = '{reportId}'")).Single();

        // What the database holds is the wrapped key: without the configured key it opens nothing.
        Assert.StartsWith("w1:", stored);
        var thief = Keys(NewKey());
        Assert.Throws<CryptographicException>(() => thief.Unwrap(reportId, stored));

        // A key stored before wrapping (plain base64) is still read, and the rewrap wraps it.
        var service = Keys(TestEnvironment.SecretsKey);
        string plain = Convert.ToBase64String(service.Unwrap(reportId, stored));
        await Database.ExecuteAsync($"update \"{host.Schema}\".mt_doc_reporterkey set data = jsonb_set(data, '{{key}}', to_jsonb('{plain}'::text)) where id = '{reportId}'");
        Assert.Equal("Aigerim Nurlanovna", await ContactNameAsync());

        using var rewrap = await host.CreateAdminClient().PostAsync("/api/admin/reporter-keys/rewrap", null);
        Assert.Equal(HttpStatusCode.OK, rewrap.StatusCode);
        using var result = JsonDocument.Parse(await rewrap.Content.ReadAsStringAsync());
        Assert.True(result.RootElement.GetProperty("rewrapped").GetInt32() >= 1);
        Assert.Equal(0, result.RootElement.GetProperty("unreadable").GetInt32());
        Assert.StartsWith("w1:", (await Database.ColumnAsync($"select data->>'key' from \"{host.Schema}\".mt_doc_reporterkey where id = '{reportId}'")).Single());
        Assert.Equal("Aigerim Nurlanovna", await ContactNameAsync());

        using var asOrganisation = await client.PostAsync("/api/admin/reporter-keys/rewrap", null);
        Assert.Equal(HttpStatusCode.Forbidden, asOrganisation.StatusCode);

        async Task<string?> ContactNameAsync()
        {
            using var read = JsonDocument.Parse(await client.GetStringAsync($"/api/reports/{reportId}"));
            return read.RootElement.GetProperty("reporterContact").GetProperty("name").GetString();
        }
    }
}
