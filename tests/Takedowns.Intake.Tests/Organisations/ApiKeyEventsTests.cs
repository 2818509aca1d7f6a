using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Organisations;

/// <summary>Intake with queues standing in for the services that keep organisations' keys (Correlation).</summary>
public sealed class KeyEventsHost : IntakeHost
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Inspect.BindCaptureQueueAsync(VirtualHost, "Takedowns.Contracts.Organisations:ApiKeyIssued", "capture-key-issued");
        await Inspect.BindCaptureQueueAsync(VirtualHost, "Takedowns.Contracts.Organisations:ApiKeyRevoked", "capture-key-revoked");
    }
}

public sealed class ApiKeyEventsTests(KeyEventsHost host) : IClassFixture<KeyEventsHost>
{
    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>The captured key events of a kind, as the message each envelope carries.</summary>
    private async Task<List<JsonElement>> MessagesAsync(string type) =>
        (await Inspect.AllMessagesAsync(host.VirtualHost))
        .Select(body => JsonDocument.Parse(body).RootElement.Clone())
        .Where(e => e.GetProperty("messageType").EnumerateArray().Any(t => t.GetString() == $"urn:message:Takedowns.Contracts.Organisations:{type}"))
        .Select(e => e.GetProperty("message"))
        .ToList();

    [Fact]
    public async Task issues_rotations_and_revocations_go_out_with_the_secrets_hash_and_never_the_secret()
    {
        var org = await host.RegisterOrganisationAsync();
        var admin = host.CreateAdminClient();
        string keys = $"/api/admin/organisations/{org.OrganisationId}/api-keys";
        var analyst = await Json(await admin.PostAsJsonAsync(keys, new { roles = new[] { "analyst" } }));
        Guid analystId = analyst.GetProperty("keyId").GetGuid();
        using var rotation = await admin.PostAsync($"{keys}/{analystId}/rotation?overlapHours=1", null);
        Assert.Equal(HttpStatusCode.Created, rotation.StatusCode);
        var rotated = await Json(rotation);
        Guid rotatedId = rotated.GetProperty("keyId").GetGuid();
        using (var revoked = await admin.DeleteAsync($"{keys}/{rotatedId}")) Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        string[] plaintexts = [org.ApiKey, analyst.GetProperty("apiKey").GetString()!, rotated.GetProperty("apiKey").GetString()!];
        var issued = await Eventually.Until(() => MessagesAsync("ApiKeyIssued"), m => m.Count >= 3, what: "three issued keys");
        var revocations = await Eventually.Until(() => MessagesAsync("ApiKeyRevoked"), m => m.Count >= 2, what: "the rotation and the revocation");
        Assert.Equal(3, issued.Count);
        foreach (string plaintext in plaintexts)
        {
            Assert.True(ApiKeyToken.TryParse(plaintext, out var id, out string secret));
            var message = Assert.Single(issued, m => m.GetProperty("keyId").GetGuid() == id);
            Assert.Equal(org.OrganisationId, message.GetProperty("organisationId").GetGuid());
            Assert.Equal(ApiKeyToken.HashSecret(secret), message.GetProperty("secretSha256").GetString());
        }
        Assert.Equal(["analyst"], issued.Single(m => m.GetProperty("keyId").GetGuid() == rotatedId).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

        var overlap = Assert.Single(revocations, m => m.GetProperty("keyId").GetGuid() == analystId);
        Assert.Equal(TimeSpan.FromHours(1), overlap.GetProperty("validUntil").GetDateTimeOffset() - overlap.GetProperty("revokedAt").GetDateTimeOffset());
        var atOnce = Assert.Single(revocations, m => m.GetProperty("keyId").GetGuid() == rotatedId);
        Assert.Equal(atOnce.GetProperty("revokedAt").GetDateTimeOffset(), atOnce.GetProperty("validUntil").GetDateTimeOffset());

        // No secret anywhere on the broker: not whole, not its secret part.
        var everything = string.Join('\n', await Inspect.AllMessagesAsync(host.VirtualHost));
        foreach (string plaintext in plaintexts)
        {
            ApiKeyToken.TryParse(plaintext, out _, out string secret);
            Assert.DoesNotContain(secret, everything);
        }
    }
}
