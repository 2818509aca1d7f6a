using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Takedowns.ServiceDefaults;

internal static class OpenApi
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/swagger/v1/swagger.json";

    public static IServiceCollection AddTakedownsOpenApi(this IServiceCollection services, string serviceName)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = $"Takedowns {serviceName}",
                Version = "v1",
                Description = "Part of Takedowns, a tracker of social-media takedowns against independent media, journalists and activists.",
            });
            o.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An organisation's API key (tdk_...) or the admin key.",
            });
            // Relative, so the document is right both behind the gateway and on the service's own port.
            o.AddServer(new OpenApiServer { Url = "/", Description = "This service, or the gateway in front of it" });
            o.OperationFilter<SecurityRequirementFilter>();
            o.SupportNonNullableReferenceTypes();
        });
        return services;
    }

    public static WebApplication UseTakedownsOpenApi(this WebApplication app)
    {
        app.MapSwagger().AllowAnonymous();
        app.UseSwaggerUI();
        return app;
    }

    /// <summary>Marks every operation as needing the bearer key, or as open to anyone (an empty requirement).</summary>
    private sealed class SecurityRequirementFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            operation.Security ??= [];
            if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security.Add(new OpenApiSecurityRequirement());
                return;
            }
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, context.Document)] = [],
            });
        }
    }
}
