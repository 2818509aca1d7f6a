using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Integration;

/// <summary>The services log JSON lines, and an exception from PostgreSQL reaches them without the row it quoted.</summary>
public sealed class SafeLogTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    [Fact]
    public async Task a_postgresql_error_is_logged_as_its_sqlstate_in_a_json_line_without_the_row()
    {
        string sentinel = "@log_sentinel_" + Guid.NewGuid().ToString("N")[..12];
        PostgresException refused;
        await using (var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select $1::jsonb", connection)
            {
                Parameters = { new() { Value = $$"""{"handle":"{{sentinel}}","x":"a\u0000b"}""" } },
            };
            refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
        }
        Assert.Contains(sentinel, refused.ToString()); // what the default console log would have written

        var wrapped = new InvalidOperationException("Writing 3 reports failed", refused);
        var line = new StringWriter();
        new SafeJsonLogs().Write(new LogEntry<string>(LogLevel.Error, "Takedowns.Intake.Reports.ReportWriter", new EventId(7), "Writing 3 reports failed",
            wrapped, (state, _) => state), null, line);

        Assert.DoesNotContain(sentinel, line.ToString());
        using var json = JsonDocument.Parse(line.ToString());
        Assert.Equal("Error", json.RootElement.GetProperty("level").GetString());
        Assert.Equal("Writing 3 reports failed", json.RootElement.GetProperty("message").GetString());
        Assert.Contains("SQLSTATE 22P05", json.RootElement.GetProperty("exception").GetString());
    }

    [Fact]
    public void the_service_writes_its_console_log_as_safe_json_lines() =>
        Assert.Equal(SafeJsonLogs.Name, host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
}

/// <summary>Each service shows its metrics in Prometheus' text format on its own port.</summary>
public sealed class MetricsTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    [Fact]
    public async Task metrics_are_served_in_prometheus_text_format()
    {
        var client = host.CreateClient();
        using (var live = await client.GetAsync("/health/live")) Assert.True(live.IsSuccessStatusCode);
        using var org = await host.CreateAdminClient().GetAsync("/api/admin/organisations/00000000-0000-0000-0000-000000000001/api-keys");

        string text = await Eventually.Until(async () => await client.GetStringAsync("/metrics"),
            t => t.Contains("http_server_request_duration_seconds"), TimeSpan.FromSeconds(30), "request metrics");
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text);
    }

    [Fact]
    public async Task reports_stored_and_the_outboxs_lag_are_counted()
    {
        var org = await host.RegisterOrganisationAsync();
        using (var response = await host.CreateClient(org.ApiKey).SendAsync(IntakeHost.NewReport(SampleReports.Body())))
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var client = host.CreateClient();
        string text = await Eventually.Until(async () => await client.GetStringAsync("/metrics"),
            t => t.Contains("takedowns_reports_stored") && t.Contains("takedowns_lag_seconds"), TimeSpan.FromSeconds(30), "the report counter and the lag gauge");
        var stored = text.Split('\n').Single(l => l.StartsWith("takedowns_reports_stored_total{", StringComparison.Ordinal) && l.Contains("channel=\"api\""));
        Assert.True(double.Parse(stored.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture) >= 1, stored);
        Assert.Contains("takedowns_lag_seconds{", text);
        Assert.Contains("source=\"report-forwarder\"", text);
    }
}
