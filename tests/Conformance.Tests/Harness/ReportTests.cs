using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>The report is one markdown table row per case, in id order, with a failure's first line only.</summary>
public sealed class ReportTests
{
    [Fact]
    public void Rows_are_in_id_order_and_cells_stay_on_one_line()
    {
        var d01 = new ConformanceCase("D01", "A DNS lookup … should resolve to the clusterset IP", "clusterip_service_dns.go", "Optional", "DNS", "ClusterIP");
        var c04 = new ConformanceCase("C04", "Exporting a ClusterIP service should create a ServiceImport", "service_import.go", "Required");

        var table = ConformanceReport.Render([
            new CaseResult(d01, false, TimeSpan.FromSeconds(21.04), "ServiceImport not found | within 20s\nstack"),
            new CaseResult(c04, true, TimeSpan.FromSeconds(3.2), null),
        ]);

        Assert.Equal(
            """
            | Case | Upstream spec | Label | Result | Duration |
            |---|---|---|---|---|
            | C04 | Exporting a ClusterIP service should create a ServiceImport (service_import.go) | Required | pass | 3.2 s |
            | D01 | A DNS lookup … should resolve to the clusterset IP (clusterip_service_dns.go) | Optional, DNS, ClusterIP | FAIL: ServiceImport not found \| within 20s | 21.0 s |

            """.ReplaceLineEndings("\n"),
            table.ReplaceLineEndings("\n"));
    }
}
