using System.Diagnostics;
using System.Net;
using System.Text;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

/// <summary>
/// infra/run supervises what it starts: a service that dies is started again within seconds, with its new PID recorded
/// and the restart logged. Run here as an operator runs it, on ports and a data folder of its own, against the
/// PostgreSQL and RabbitMQ the tests use.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class SupervisionTests
{
    private static bool Alive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Fact]
    public async Task a_service_that_dies_is_started_again_within_ten_seconds_with_its_new_pid_recorded()
    {
        string data = Path.Combine(Path.GetTempPath(), "takedowns-supervision-" + Guid.NewGuid().ToString("N")[..8]);
        var ports = new Dictionary<string, int>
        {
            ["GATEWAY"] = RunningSystem.FreePort(), ["INTAKE"] = RunningSystem.FreePort(),
            ["CORRELATION"] = RunningSystem.FreePort(), ["PUBLISHING"] = RunningSystem.FreePort(),
            ["ESCALATION"] = RunningSystem.FreePort(),
        };
        var start = new ProcessStartInfo(Path.Combine(TestEnvironment.RepositoryRoot, "infra", "run"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["TAKEDOWNS_DATA"] = data, ["TAKEDOWNS_CONFIGURATION"] = "Release" },
        };
        foreach (var (name, port) in ports) start.Environment[$"TAKEDOWNS_{name}_PORT"] = port.ToString();
        var output = new StringBuilder();
        using var run = Process.Start(start)!;
        run.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        run.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        string Output() { lock (output) return output.ToString(); }
        try
        {
            await Eventually.Until(() => Task.FromResult(Output()), o => o.Contains("Takedowns is running") || run.HasExited,
                TimeSpan.FromMinutes(4), "infra/run to start everything");
            Assert.False(run.HasExited, Output());

            string pidFile = Path.Combine(data, "pids", "correlation.pid");
            int first = int.Parse(File.ReadAllText(pidFile).Trim());
            using (var correlation = Process.GetProcessById(first)) correlation.Kill(); // as a crash would
            var killedAt = Stopwatch.StartNew();

            int second = await Eventually.Until(
                () => Task.FromResult(File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid) ? pid : first),
                pid => pid != first && Alive(pid), TimeSpan.FromSeconds(10), "a new correlation process");
            Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(10), $"restarted after {killedAt.Elapsed}");
            using var http = new HttpClient();
            await Eventually.Until(async () =>
            {
                try { using var r = await http.GetAsync($"http://127.0.0.1:{ports["CORRELATION"]}/health/live"); return r.StatusCode; }
                catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; }
            }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the restarted correlation to answer");
            Assert.Contains($"correlation exited; started again as PID {second}", Output());
            Assert.Contains($"correlation exited; started again as PID {second}", File.ReadAllText(Path.Combine(data, "logs", "supervisor.log")));
        }
        finally
        {
            // `infra/run stop` from another shell: the supervising run stops what it started (never the servers it found
            // running), and starts nothing again.
            if (!run.HasExited)
            {
                var stop = new ProcessStartInfo(Path.Combine(TestEnvironment.RepositoryRoot, "infra", "run"), ["stop"])
                {
                    RedirectStandardOutput = true, RedirectStandardError = true, Environment = { ["TAKEDOWNS_DATA"] = data },
                };
                using var stopping = Process.Start(stop)!;
                string said = await stopping.StandardOutput.ReadToEndAsync() + await stopping.StandardError.ReadToEndAsync();
                await stopping.WaitForExitAsync();
                Assert.True(stopping.ExitCode == 0, said);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await run.WaitForExitAsync(timeout.Token);
                Assert.DoesNotContain("started again", Output().Split("stopping")[^1]);
            }
            foreach (string pid in Directory.Exists(Path.Combine(data, "pids")) ? Directory.GetFiles(Path.Combine(data, "pids"), "*.pid") : [])
                Assert.False(int.TryParse(File.ReadAllText(pid).Trim(), out int p) && Alive(p), $"{pid} still running after infra/run stopped");
            Directory.Delete(data, recursive: true);
        }
    }
}
