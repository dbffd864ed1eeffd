using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Grains.Exports;

/// <summary>
/// What one observation of an export means: valid or not (with the condition's reason and message), what it
/// contributes to its service's import (null: nothing), and the Ingress it needs in its member (null: none).
/// </summary>
public sealed record ExportVerdict(bool Valid, string Reason, string Message, ExportContribution? Contribution, ExportIngress? Ingress);
