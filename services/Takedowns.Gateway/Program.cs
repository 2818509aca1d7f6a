using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Takedowns.Gateway;
using Takedowns.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddTelemetry("gateway");
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

var (routes, clusters) = Routes.Build(builder.Configuration);
builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
builder.Services.AddHttpClient(DownstreamReadiness.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(5));
builder.Services.AddHealthChecks()
    .AddCheck<DownstreamReadiness>("services", tags: [ServiceDefaultsExtensions.ReadyTag]);

var app = builder.Build();
app.MapHealthChecks(ServiceDefaultsExtensions.LivePath, new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks(ServiceDefaultsExtensions.ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ServiceDefaultsExtensions.ReadyTag) });
app.UseSwaggerUI(o =>
{
    foreach (string service in Routes.Prefixes.Keys) o.SwaggerEndpoint($"/openapi/{service}.json", service);
});
app.MapReverseProxy();
app.Run();
