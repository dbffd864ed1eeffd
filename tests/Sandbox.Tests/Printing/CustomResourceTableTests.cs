using ErieCanal.Orleans.Sandbox.Printing;
using Xunit;
using static ErieCanal.Orleans.Sandbox.Tests.Printing.TableAssert;

namespace ErieCanal.Orleans.Sandbox.Tests.Printing;

public sealed class CustomResourceTableTests
{
    private static readonly PrinterColumn[] Columns =
    [
        new("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status"),
        new("Replicas", "integer", ".spec.replicas", Description: "Desired replicas"),
        new("Ratio", "number", ".status.ratio"),
        new("Paused", "boolean", ".spec.paused"),
        new("Ports", "string", ".spec.ports[*].port"),
        new("Missing", "string", ".status.nothing"),
        new("Wrong", "integer", ".metadata.name"),
        new("Synced", "date", ".status.lastSync", Priority: 1),
    ];

    private static string Gateway => $$$"""
        {"apiVersion":"example.io/v1","kind":"Gateway",
         "metadata":{"name":"gw","namespace":"default","resourceVersion":"7","creationTimestamp":"{{{Ago(TimeSpan.FromDays(2))}}}"},
         "spec":{"replicas":3,"paused":false,"ports":[{"port":80},{"port":443}]},
         "status":{"ratio":0.5,"lastSync":"{{{Ago(TimeSpan.FromMinutes(5))}}}",
                   "conditions":[{"type":"Synced","status":"False"},{"type":"Ready","status":"True"}]}}
        """;

    [Fact]
    public void Printer_columns_follow_the_apiextensions_table_convertor()
    {
        var table = Table("example.io", "Gateway", Gateway, Columns);

        Assert.Equal("Name:string:name:0|Ready:string::0|Replicas:integer::0|Ratio:number::0|Paused:boolean::0|Ports:string::0|Missing:string::0|Wrong:integer::0|Synced:date::1",
            ColumnNames(table));
        Assert.Equal("Desired replicas", (string?)table["columnDefinitions"]![2]!["description"]);
        Assert.Equal("Custom resource definition column (in JSONPath format): .spec.ports[*].port", (string?)table["columnDefinitions"]![5]!["description"]);
        // Only the first JSONPath match is shown, missing values and type mismatches are null, dates become ages.
        Assert.Equal("""["gw","True",3,0.5,false,"80",null,null,"5m"]""", Cells(table));
    }

    [Fact]
    public void Crd_without_columns_gets_an_age_column()
    {
        var table = Table("example.io", "Gateway", Gateway, []);

        Assert.Equal("Name:string:name:0|Age:date::0", ColumnNames(table));
        Assert.Equal("""["gw","2d"]""", Cells(table));
    }

    [Fact]
    public void Table_envelope_carries_list_metadata()
    {
        var table = TableBuilder.Build("example.io", "Gateway", [], [Parse(Gateway), Parse(Gateway)], "99", "next-page", "Metadata", Now);

        Assert.Equal("Table", (string?)table["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)table["apiVersion"]);
        Assert.Equal("""{"resourceVersion":"99","continue":"next-page"}""", table["metadata"]!.ToJsonString());
        Assert.Equal(2, table["rows"]!.AsArray().Count);
    }

    [Fact]
    public void Include_object_metadata_wraps_partial_object_metadata()
    {
        var row = Table("example.io", "Gateway", Gateway, Columns)["rows"]![0]!;

        Assert.Equal("PartialObjectMetadata", (string?)row["object"]!["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)row["object"]!["apiVersion"]);
        Assert.Equal("gw", (string?)row["object"]!["metadata"]!["name"]);
        Assert.Null(row["object"]!["spec"]);
    }

    [Fact]
    public void Include_object_object_embeds_the_full_object_and_none_embeds_null()
    {
        var full = Table("example.io", "Gateway", Gateway, Columns, "Object")["rows"]![0]!;
        var none = Table("example.io", "Gateway", Gateway, Columns, "None")["rows"]![0]!.AsObject();

        Assert.Equal(Parse(Gateway).ToJsonString(), full["object"]!.ToJsonString());
        Assert.True(none.ContainsKey("object"));
        Assert.Null(none["object"]);
    }
}
