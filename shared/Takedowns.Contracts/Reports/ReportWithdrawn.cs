namespace Takedowns.Contracts.Reports;

/// <summary>
/// The reporting organisation retracted a report: it no longer counts anywhere. An incident still counts while another
/// of its reports stands. The message id is the id of the Intake event it was made from.
/// </summary>
public sealed record ReportWithdrawn(Guid ReportId, Guid OrganisationId, Guid? IncidentId, DateTimeOffset WithdrawnAt);
