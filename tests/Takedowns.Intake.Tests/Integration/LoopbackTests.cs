using System.Globalization;
using Npgsql;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Integration;

/// <summary>The servers infra/ starts listen on loopback only: PostgreSQL, RabbitMQ, its Erlang distribution port and epmd.</summary>
public sealed class LoopbackTests
{
    /// <summary>Listening sockets from /proc/net/tcp and tcp6: (port, whether the address is loopback).</summary>
    private static IEnumerable<(int Port, string Address, bool Loopback)> Listening() =>
        new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists).SelectMany(File.ReadLines).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 3 && f[3] == "0A" && f[1].Contains(':')) // 0A: LISTEN
            .Select(f => f[1].Split(':'))
            .Select(a => (int.Parse(a[1], NumberStyles.HexNumber), a[0],
                a[0] is "0100007F" or "00000000000000000000000001000000" || (a[0].Length == 8 && a[0].EndsWith("7F", StringComparison.Ordinal))));

    [Fact]
    public void postgresql_rabbitmq_erlang_distribution_and_epmd_listen_on_loopback_only()
    {
        int postgres = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnection).Port;
        int rabbit = int.Parse(TestEnvironment.RabbitPort, CultureInfo.InvariantCulture);
        int distribution = int.Parse(Environment.GetEnvironmentVariable("TAKEDOWNS_RABBITMQ_DIST_PORT") ?? "56721", CultureInfo.InvariantCulture);
        int[] ports = [postgres, rabbit, distribution, 4369];
        var sockets = Listening().Where(s => ports.Contains(s.Port)).ToList();

        Assert.Contains(sockets, s => s.Port == postgres);
        Assert.Contains(sockets, s => s.Port == rabbit);
        Assert.Contains(sockets, s => s.Port == distribution);
        Assert.All(sockets, s => Assert.True(s.Loopback, $"port {s.Port} listens on {s.Address}, not loopback"));
    }
}
