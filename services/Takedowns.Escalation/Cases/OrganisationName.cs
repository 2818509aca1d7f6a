using Marten;
using MassTransit;
using Takedowns.Contracts.Organisations;

namespace Takedowns.Escalation.Cases;

/// <summary>An organisation's name as Intake registered it: a packet names the organisation that escalates.</summary>
public sealed record OrganisationName(Guid Id, string Name);

/// <summary>Keeps <see cref="OrganisationName"/>s from Intake's registrations; the same message twice writes the same record.</summary>
public sealed class OrganisationNameConsumer(IDocumentSession session) : IConsumer<OrganisationRegistered>
{
    public async Task Consume(ConsumeContext<OrganisationRegistered> context)
    {
        session.Store(new OrganisationName(context.Message.OrganisationId, context.Message.Name));
        await session.SaveChangesAsync(context.CancellationToken);
    }
}
