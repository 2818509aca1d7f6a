using System.Net;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Publishing.Tests.Patterns;

public sealed class ReplicaHost : ServiceHost<Program>
{
    /// <summary>The name the service's connections to the replica carry, so the replica's own view shows them.</summary>
    public string ApplicationName { get; } = TestEnvironment.UniqueName("replica");

    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["ConnectionStrings:PostgresReplica"] = $"{TestEnvironment.PostgresReplicaConnection};Application Name={ApplicationName}",
    };
}

/// <summary>With a replica configured, Publishing's public queries are answered by the replica, and what the primary stored shows there.</summary>
public sealed class ReplicaReadsTests(ReplicaHost host) : IClassFixture<ReplicaHost>
{
    private static async Task<long> ConnectionsAsync(string connection, string applicationName)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from pg_stat_activity where application_name = $1", db);
        command.Parameters.AddWithValue(applicationName);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task public_patterns_are_read_from_the_replica_and_show_what_the_primary_stored()
    {
        await using (var replica = new NpgsqlConnection(TestEnvironment.PostgresReplicaConnection))
        {
            await replica.OpenAsync();
            await using var recovery = new NpgsqlCommand("select pg_is_in_recovery()", replica);
            Assert.True((bool)(await recovery.ExecuteScalarAsync())!, "the replica is a standby");
        }
        var day = new DateOnly(2025, 4, 7);
        var bus = host.Services.GetRequiredService<IBus>();
        var reports = Enumerable.Range(0, 5).Select(_ => Submissions.Report("BT", Platform.Telegram, GroundCategory.Spam, day)).ToList();
        await bus.PublishIntegrationEvent(new ReportChanges(reports.Select(r => new ReportChange(Guid.NewGuid(), Submitted: r)).ToList()), Guid.NewGuid(), CancellationToken.None);

        var rows = await Eventually.Until(async () =>
        {
            using var response = await host.CreateClient().GetAsync("/api/public/patterns?groupBy=country&grain=day&from=2025-04-07&to=2025-04-07&country=BT");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("rows").Clone();
        }, r => r.GetArrayLength() == 1 && r[0].TryGetProperty("count", out var c) && c.GetInt32() == 5, what: "the count shown from the replica");
        Assert.Equal("BT", rows[0].GetProperty("country").GetString());

        // Asked on the replica: the service's reads went there, and none of its connections to the primary carry that name.
        Assert.True(await ConnectionsAsync(TestEnvironment.PostgresReplicaConnection, host.ApplicationName) > 0);
        Assert.Equal(0, await ConnectionsAsync(TestEnvironment.PostgresConnection, host.ApplicationName));
        using var ready = await host.CreateClient().GetAsync("/health/ready");
        Assert.Contains("postgres-replica", await ready.Content.ReadAsStringAsync());
    }
}
