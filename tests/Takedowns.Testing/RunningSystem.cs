using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using Xunit;

namespace Takedowns.Testing;

/// <summary>
/// Every service as a real process, as infra/run starts them, on the real PostgreSQL (a schema per service, unique
/// to this run) and RabbitMQ (a virtual host of this run), behind the gateway.
/// </summary>
public sealed class RunningSystem : IAsyncLifetime
{
    /// <summary>Extra settings per service ("correlation", ...), as configuration keys; none for the end-to-end tests.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Settings { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    public const string AdminKey = "e2e-admin-key-0123456789abcdef";
    private static readonly string[] StartOrder = ["correlation", "publishing", "escalation", "intake", "gateway"];
    private static readonly Dictionary<string, string> Projects = new()
    {
        ["intake"] = "Takedowns.Intake", ["correlation"] = "Takedowns.Correlation",
        ["publishing"] = "Takedowns.Publishing", ["escalation"] = "Takedowns.Escalation", ["gateway"] = "Takedowns.Gateway",
    };

    private readonly Dictionary<string, Process> _processes = [];
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Dictionary<string, TextWriter> _logs = [];
    private readonly string _prefix = TestEnvironment.UniqueName("e2e");

    /// <summary>Where each service's whole output is also written (a file per service), e.g. for a long benchmark; none when null.</summary>
    public string? LogDirectory { get; init; }

    /// <summary>Instances of each service but the gateway (1: one each, as infra/run starts them). Instance n &gt; 1 of a service is named "service#n".</summary>
    public int Instances { get; init; } = 1;

    /// <summary>Each service's (first instance's) URL, and each further instance's under its name ("intake#2").</summary>
    public Dictionary<string, Uri> Urls { get; } = [];
    public string VirtualHost { get; private set; } = "";

    /// <summary>Each running service's process id, e.g. to read the CPU time it spent.</summary>
    public IReadOnlyDictionary<string, int> ProcessIds => _processes.ToDictionary(p => p.Key, p => p.Value.Id);
    public Uri Gateway => Urls["gateway"];

    public HttpClient Client(string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    public string Schema(string service) => $"{_prefix}_{service}";

    /// <summary>The last lines the services wrote, for a failure message.</summary>
    public string RecentOutput => string.Join('\n', _output.TakeLast(80));

    public async ValueTask InitializeAsync()
    {
        VirtualHost = await Broker.CreateVirtualHostAsync();
        foreach (string instance in StartOrder.SelectMany(InstancesOf)) Urls[instance] = new Uri($"http://127.0.0.1:{FreePort()}");
        foreach (string service in StartOrder)
        {
            foreach (string instance in InstancesOf(service)) Start(instance);
            // Consumers bind their queues before Intake starts publishing.
            foreach (string instance in InstancesOf(service)) await WaitReadyAsync(instance);
        }
    }

    /// <summary>The names of a service's instances: "intake", "intake#2", ...; the gateway has one.</summary>
    public IEnumerable<string> InstancesOf(string service) =>
        service == "gateway" ? [service] : Enumerable.Range(1, Instances).Select(n => n == 1 ? service : $"{service}#{n}");

    private void Start(string instance)
    {
        string service = instance.Split('#')[0];
        string configuration = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
                               ?? typeof(RunningSystem).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string project = Projects[service];
        string directory = Path.Combine(TestEnvironment.RepositoryRoot, "artifacts", "bin", project, configuration.ToLowerInvariant());
        var start = new ProcessStartInfo("dotnet", $"{project}.dll")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in TestEnvironment.ServiceSettings(Schema(service), VirtualHost, AdminKey))
            start.Environment[key.Replace(":", "__")] = value;
        start.Environment["ASPNETCORE_URLS"] = Urls[instance].ToString().TrimEnd('/');
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (string other in Projects.Keys.Where(s => s != "gateway"))
            start.Environment[$"Services__{other}"] = string.Join(',', InstancesOf(other).Select(i => Urls[i].ToString().TrimEnd('/')));
        if (Settings.TryGetValue(service, out var extra))
            foreach (var (key, value) in extra) start.Environment[key.Replace(":", "__")] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{service} did not start");
        TextWriter? log = null;
        if (LogDirectory is not null)
        {
            Directory.CreateDirectory(LogDirectory);
            if (_logs.Remove(instance, out var earlier)) earlier.Dispose(); // a restarted instance writes on in the same file
            log = _logs[instance] = TextWriter.Synchronized(new StreamWriter(Path.Combine(LogDirectory, $"{instance.Replace('#', '-')}.log"), append: true) { AutoFlush = true });
        }
        void Received(string? line)
        {
            if (line is null) return;
            _output.Enqueue($"[{instance}] {line}");
            while (_output.Count > 200) _output.TryDequeue(out _);
            log?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        }
        process.OutputDataReceived += (_, e) => Received(e.Data);
        process.ErrorDataReceived += (_, e) => Received(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[instance] = process;
    }

    private async Task WaitReadyAsync(string service)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_processes[service].HasExited)
                throw new InvalidOperationException($"{service} exited with {_processes[service].ExitCode}:\n{RecentOutput}");
            try
            {
                using var response = await http.GetAsync(new Uri(Urls[service], "/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { /* not listening yet */ }
            catch (TaskCanceledException) { /* slow start */ }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{service} was not ready within 90 s:\n{RecentOutput}");
    }

    /// <summary>Ends a service at once (SIGKILL): no shutdown, nothing flushed, as a crash or an out-of-memory kill would.</summary>
    public async Task KillAsync(string service)
    {
        var process = _processes[service];
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        _processes.Remove(service);
    }

    /// <summary>Starts a killed service again on its own port, and waits until it is ready.</summary>
    public async Task RestartAsync(string service)
    {
        if (_processes.ContainsKey(service)) await KillAsync(service);
        Start(service);
        await WaitReadyAsync(service);
    }

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Values)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        foreach (var log in _logs.Values) await log.DisposeAsync();
        if (VirtualHost.Length > 0) await Broker.DeleteVirtualHostAsync(VirtualHost);
        foreach (string service in Projects.Keys) await Database.DropSchemaAsync(Schema(service));
    }
}
