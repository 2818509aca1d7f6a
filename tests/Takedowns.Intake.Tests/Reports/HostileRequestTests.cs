using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Reports;

/// <summary>Requests that used to get 500: answered as the client's mistake (400 naming what), or as a retry (503).</summary>
public sealed class HostileRequestTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    [Theory]
    [InlineData("/api/reports?from=0001-01-01", "from")]
    [InlineData("/api/reports?to=9999-12-31", "to")]
    [InlineData("/api/reports?cursor=OTIyMzM3MjAzNjg1NDc3NTgwNzowMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA", "cursor")] // long.MaxValue ticks
    public async Task far_dates_and_made_up_cursors_name_the_parameter(string path, string field)
    {
        var org = await host.RegisterOrganisationAsync();
        using var response = await host.CreateClient(org.ApiKey).GetAsync(path);
        await Problems.AssertNamesFieldAsync(response, field);
    }

    [Fact]
    public async Task a_multipart_upload_cut_short_is_the_clients_to_send_again()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        using var created = await client.SendAsync(IntakeHost.NewReport(SampleReports.Body()));
        Guid reportId = await IntakeHost.ReportIdOf(created);
        long stored = await host.StoredEventCountAsync();
        // The file part starts and the body ends: no closing boundary.
        string cut = "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"shot.png\"\r\nContent-Type: image/png\r\n\r\nPNG-bytes-that-st";
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(cut));
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");

        using var response = await client.PostAsync($"/api/reports/{reportId}/evidence", content);

        await Problems.AssertNamesFieldAsync(response, "body");
        Assert.Equal(stored, await host.StoredEventCountAsync());
    }

    [Fact]
    public async Task a_database_that_cannot_be_reached_is_a_503_with_retry_after()
    {
        // A real refusal: nothing listens on port 1.
        await using var connection = new NpgsqlConnection("Host=127.0.0.1;Port=1;Username=x;Password=x;Timeout=2");
        var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
        Assert.True(DatabaseUnavailable.Is(refused), $"{refused.GetType().Name}: not taken for an unreachable database");
        Assert.True(DatabaseUnavailable.Is(new InvalidOperationException("wrapped", refused)));
        Assert.False(DatabaseUnavailable.Is(new InvalidOperationException("a bug")));

        var context = new DefaultHttpContext { RequestServices = host.Services };
        context.Response.Body = new MemoryStream();
        Assert.True(await new DatabaseUnavailable(NullLogger<DatabaseUnavailable>.Instance).TryHandleAsync(context, refused, CancellationToken.None));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal(DatabaseUnavailable.RetryAfterSeconds.ToString(), context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        Assert.Contains("Nothing was stored", await new StreamReader(context.Response.Body).ReadToEndAsync());
    }
}
