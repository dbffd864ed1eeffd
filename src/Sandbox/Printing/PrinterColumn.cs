namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>A table column; for CRDs this mirrors an additionalPrinterColumns entry.</summary>
public sealed record PrinterColumn(string Name, string Type, string JsonPath, string? Format = null, string? Description = null, int Priority = 0);
