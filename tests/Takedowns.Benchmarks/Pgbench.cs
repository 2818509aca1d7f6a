using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Takedowns.Testing;

namespace Takedowns.Benchmarks;

/// <summary>
/// The physical reference the benchmarks divide by: pgbench's single-row inserts (8 clients) on the same PostgreSQL,
/// so that a figure taken on a busy shared machine can be read beside what the machine could do at the time.
/// </summary>
public static class Pgbench
{
    public static async Task<double> InsertsPerSecondAsync(int durationSeconds)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnection);
        await using (var c = new Npgsql.NpgsqlConnection(TestEnvironment.PostgresConnection))
        {
            await c.OpenAsync();
            await new Npgsql.NpgsqlCommand("create table if not exists bench_insert (id bigserial primary key, payload text not null)", c).ExecuteNonQueryAsync();
        }
        string script = Path.GetTempFileName();
        await File.WriteAllTextAsync(script, "insert into bench_insert (payload) values (md5(random()::text));\n");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("TAKEDOWNS_PGBENCH") ?? "pgbench")
        {
            ArgumentList =
            {
                "-n", "-c", "8", "-j", "2", "-T", durationSeconds.ToString(CultureInfo.InvariantCulture), "-f", script,
                "-h", b.Host!, "-p", b.Port.ToString(CultureInfo.InvariantCulture), "-U", b.Username!, b.Database!,
            },
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = b.Password;
        using var p = Process.Start(start)!;
        string output = await p.StandardOutput.ReadToEndAsync();
        string errors = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        File.Delete(script);
        var m = Regex.Match(output, @"tps = ([0-9.]+)");
        if (!m.Success) throw new InvalidOperationException("pgbench: " + output + errors);
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
