using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts.Organisations;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Access;

public sealed class OrganisationKeyDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly ApiKeyIssued Issued = new(Guid.NewGuid(), Guid.NewGuid(), [Roles.Analyst], ApiKeyToken.HashSecret("secret"), Now.AddDays(-1));

    [Fact]
    public void an_issued_key_works_until_it_is_revoked()
    {
        var key = OrganisationKey.With(null, Issued);
        Assert.True(key.IsUsableAt(Now));
        var revoked = OrganisationKey.With(key, new ApiKeyRevoked(Issued.KeyId, Issued.OrganisationId, Now, Now));
        Assert.False(revoked.IsUsableAt(Now));
        Assert.False(revoked.IsUsableAt(Now.AddMinutes(1)));
    }

    [Fact]
    public void a_rotated_key_works_to_the_end_of_its_overlap()
    {
        var key = OrganisationKey.With(OrganisationKey.With(null, Issued), new ApiKeyRevoked(Issued.KeyId, Issued.OrganisationId, Now, Now.AddHours(24)));
        Assert.True(key.IsUsableAt(Now.AddHours(23)));
        Assert.False(key.IsUsableAt(Now.AddHours(24)));
    }

    [Fact]
    public void a_revocation_that_overtook_the_issue_still_holds_and_the_earliest_end_wins()
    {
        var revokedFirst = OrganisationKey.With(null, new ApiKeyRevoked(Issued.KeyId, Issued.OrganisationId, Now, Now));
        Assert.False(revokedFirst.IsUsableAt(Now.AddMinutes(-1))); // nothing to check a secret against yet
        var key = OrganisationKey.With(revokedFirst, Issued);
        Assert.Equal(Issued.SecretSha256, key.SecretSha256);
        Assert.False(key.IsUsableAt(Now));
        Assert.True(key.IsUsableAt(Now.AddMinutes(-1)));

        // A rotation's overlap arriving after the revocation does not bring the key back.
        var again = OrganisationKey.With(key, new ApiKeyRevoked(Issued.KeyId, Issued.OrganisationId, Now.AddMinutes(-5), Now.AddHours(24)));
        Assert.False(again.IsUsableAt(Now));
    }

    [Fact]
    public void an_expired_key_does_not_work() =>
        Assert.False(OrganisationKey.With(null, Issued with { ExpiresAt = Now.AddSeconds(-1) }).IsUsableAt(Now));
}

/// <summary>
/// Correlation on the real broker, learning organisations' keys from key events published as Intake publishes them.
/// </summary>
public sealed class OrganisationKeyTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private static readonly Guid Organisation = Guid.NewGuid();
    private static readonly Guid Missing = Guid.NewGuid();

    /// <summary>Every analysis route, as (method, path, body); the campaign ones name a campaign that does not exist.</summary>
    private static (HttpMethod Method, string Path, object? Body)[] Routes(string country = "KZ") =>
    [
        (HttpMethod.Get, $"/api/analysis/series?country={country}", null),
        (HttpMethod.Get, "/api/analysis/spikes", null),
        (HttpMethod.Get, "/api/analysis/campaigns", null),
        (HttpMethod.Get, $"/api/analysis/campaigns/{Missing}", null),
        (HttpMethod.Post, $"/api/analysis/campaigns/{Missing}/confirm", new { note = "checked" }),
        (HttpMethod.Post, $"/api/analysis/campaigns/{Missing}/dismiss", new { reason = "legitimate" }),
        (HttpMethod.Post, $"/api/analysis/campaigns/{Missing}/merge", new { campaignIds = new[] { Guid.NewGuid() } }),
        (HttpMethod.Post, $"/api/analysis/campaigns/{Missing}/split", new { reportId = Guid.NewGuid() }),
        (HttpMethod.Post, $"/api/analysis/campaigns/{Missing}/annotate", new { note = "a note" }),
        (HttpMethod.Post, "/api/analysis/civic-periods", new { country, type = "referendum", name = "Synthetic referendum", start = "2026-03-10", end = "2026-03-16" }),
        (HttpMethod.Put, $"/api/analysis/civic-periods/{Guid.NewGuid()}", new { country, type = "election", name = "Synthetic election", start = "2026-05-10", end = "2026-05-11" }),
        (HttpMethod.Get, $"/api/analysis/civic-periods?country={country}", null),
        (HttpMethod.Get, $"/api/analysis/civic-periods/coincidence?country={country}", null),
    ];

    private sealed record Key(Guid Id, string Token, ApiKeyIssued Issued);

    private static Key NewKey(params string[] roles)
    {
        var id = Guid.NewGuid();
        string secret = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=');
        return new Key(id, ApiKeyToken.Format(id, secret), new ApiKeyIssued(id, Organisation, roles, ApiKeyToken.HashSecret(secret), DateTimeOffset.UtcNow));
    }

    /// <summary>Publishes as Intake does (mandatory): until Correlation's queue is bound, RabbitMQ returns it, so it is sent again.</summary>
    private Task PublishAsync<T>(T message) where T : class => Delivery.UntilDeliveredAsync(host.Services.GetRequiredService<MassTransit.IBus>(), message);

    private async Task<HttpResponseMessage> SendAsync(string token, (HttpMethod Method, string Path, object? Body) route)
    {
        using var request = new HttpRequestMessage(route.Method, route.Path);
        if (route.Body is not null) request.Content = new StringContent(JsonSerializer.Serialize(route.Body), Encoding.UTF8, "application/json");
        return await host.CreateClient(token).SendAsync(request);
    }

    private Task<HttpStatusCode> StatusAsync(string token) =>
        Eventually.Until(async () => { using var r = await SendAsync(token, Routes()[0]); return r.StatusCode; }, s => s != HttpStatusCode.Unauthorized,
            what: "the key event to arrive");

    [Fact]
    public async Task an_organisations_analyst_key_works_on_every_analysis_route()
    {
        var analyst = NewKey(Roles.Reporter, Roles.Analyst);
        await PublishAsync(analyst.Issued);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(analyst.Token));
        foreach (var route in Routes())
        {
            using var response = await SendAsync(analyst.Token, route);
            // Campaigns that do not exist are not found: the request got past authorisation to the campaign's stream.
            var expected = route.Path.Contains(Missing.ToString()) || route.Method == HttpMethod.Put ? HttpStatusCode.NotFound
                : route.Method == HttpMethod.Post ? HttpStatusCode.Created : HttpStatusCode.OK;
            Assert.True(expected == response.StatusCode, $"{route.Method} {route.Path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task an_organisations_key_never_holds_the_global_admin_role_and_an_escalation_key_does_not_analyse()
    {
        // Keys issued before organisation keys were kept to organisation roles may still say admin: it is not taken.
        var admin = NewKey(Roles.Admin);
        var escalation = NewKey(Roles.Escalation);
        await PublishAsync(admin.Issued);
        await PublishAsync(escalation.Issued);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(admin.Token));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(escalation.Token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(ServiceHost<Program>.AdminKey));
    }

    [Fact]
    public async Task a_reporter_key_is_forbidden_every_analysis_route_with_a_problem_document()
    {
        var reporter = NewKey(Roles.Reporter);
        await PublishAsync(reporter.Issued);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reporter.Token));
        foreach (var route in Routes("UZ"))
        {
            using var response = await SendAsync(reporter.Token, route);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(403, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        }
        // Nothing was recorded: the civic period was not registered.
        using var admin = await host.CreateAdminClient().GetAsync("/api/analysis/civic-periods?country=UZ&from=2026-01-01&to=2026-12-31");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Empty((await admin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task a_revoked_key_is_refused_once_its_revocation_arrives()
    {
        var analyst = NewKey(Roles.Analyst);
        await PublishAsync(analyst.Issued);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(analyst.Token));
        await PublishAsync(new ApiKeyRevoked(analyst.Id, Organisation, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        await Eventually.Until(async () => { using var r = await SendAsync(analyst.Token, Routes()[0]); return r.StatusCode; },
            s => s == HttpStatusCode.Unauthorized, what: "the revoked key to be refused");
        using var response = await SendAsync(analyst.Token, Routes()[0]);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task a_rotated_key_works_through_its_overlap_and_a_wrong_secret_never()
    {
        var analyst = NewKey(Roles.Analyst);
        await PublishAsync(analyst.Issued);
        await PublishAsync(new ApiKeyRevoked(analyst.Id, Organisation, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(24)));
        // Issued, then given an overlap: both messages in, the key still works.
        await Eventually.Until(async () =>
        {
            await using var session = host.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
            return await session.LoadAsync<OrganisationKey>(analyst.Id) is { ValidUntil: not null, SecretSha256: not null };
        }, known => known, what: "both key events");
        using (var ok = await SendAsync(analyst.Token, Routes()[0])) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        string forged = ApiKeyToken.Format(analyst.Id, "not-the-secret");
        using (var refused = await SendAsync(forged, Routes()[0])) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using (var unknown = await SendAsync(NewKey(Roles.Analyst).Token, Routes()[0])) Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }
}
