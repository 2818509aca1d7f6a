using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Access;

/// <summary>Far dates and made-up cursors on the analysis routes are the client's mistake: 400 naming the parameter, never 500.</summary>
public sealed class HostileQueryTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private static readonly string FarCursor = PageCursor.Encode(long.MaxValue, Guid.NewGuid());
    private static readonly string NegativeCursor = PageCursor.Encode(-1, Guid.NewGuid());

    public static TheoryData<string, string> Queries() => new()
    {
        { "/api/analysis/spikes?from=0001-01-01", "from" },
        { "/api/analysis/spikes?to=9999-12-31", "to" },
        { "/api/analysis/campaigns?from=0001-01-01", "from" },
        { "/api/analysis/campaigns?to=9999-12-31", "to" },
        { "/api/analysis/series?country=KZ&from=0001-01-01", "from" },
        { "/api/analysis/series?country=KZ&to=9999-12-31", "to" },
        { $"/api/analysis/spikes?cursor={FarCursor}", "cursor" },
        { $"/api/analysis/campaigns?cursor={FarCursor}", "cursor" },
        { $"/api/analysis/campaigns?cursor={NegativeCursor}", "cursor" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task far_dates_and_made_up_cursors_name_the_parameter(string path, string field)
    {
        using var response = await host.CreateAdminClient().GetAsync(path);
        await Problems.AssertNamesFieldAsync(response, field);
    }
}
