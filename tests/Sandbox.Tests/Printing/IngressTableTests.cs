using Xunit;
using static ErieCanal.Orleans.Sandbox.Tests.Printing.TableAssert;

namespace ErieCanal.Orleans.Sandbox.Tests.Printing;

public sealed class IngressTableTests
{
    private static readonly string Created = Ago(TimeSpan.FromMinutes(5));

    [Fact]
    public void Ingress_without_class_or_host_prints_none_star_and_port_80()
    {
        var table = Table("networking.k8s.io", "Ingress", """
            {"metadata":{"name":"svcexp-ing-httpbin","creationTimestamp":"CREATED"},
             "spec":{"rules":[{"http":{"paths":[{"path":"/httpbin","pathType":"Prefix","backend":{"service":{"name":"httpbin","port":{"number":8080}}}}]}}]}}
            """.Replace("CREATED", Created, StringComparison.Ordinal));

        Assert.Equal("Name:string:name:0|Class:string::0|Hosts:string::0|Address:string::0|Ports:string::0|Age:string::0", ColumnNames(table));
        Assert.Equal("""["svcexp-ing-httpbin","<none>","*","","80","5m"]""", Cells(table));
    }

    [Fact]
    public void Ingress_with_class_hosts_tls_and_addresses()
    {
        var table = Table("networking.k8s.io", "Ingress", """
            {"metadata":{"name":"web"},
             "spec":{"ingressClassName":"erie-canal","tls":[{"hosts":["a.example"]}],
                     "rules":[{"host":"a.example"},{"host":"b.example"},{},{"host":"c.example"},{"host":"d.example"}]},
             "status":{"loadBalancer":{"ingress":[{"ip":"127.0.0.9"},{"hostname":"lb.example"},{"ip":"127.0.0.2"}]}}}
            """);

        Assert.Equal("""["web","erie-canal","a.example,b.example,c.example + 2 more...","127.0.0.2,127.0.0.9,lb.example","80, 443","<unknown>"]""", Cells(table));
    }

    [Fact]
    public void IngressClass_prints_controller_and_parameters()
    {
        var plain = Table("networking.k8s.io", "IngressClass", $$$"""{"metadata":{"name":"erie-canal","creationTimestamp":"{{{Created}}}"},"spec":{"controller":"flomesh.io/erie-canal"}}""");
        var withParameters = Table("networking.k8s.io", "IngressClass", """
            {"metadata":{"name":"p"},"spec":{"controller":"c","parameters":{"apiGroup":"k8s.example.com","kind":"IngressParameters","name":"external-lb"}}}
            """);

        Assert.Equal("Name:string:name:0|Controller:string::0|Parameters:string::0|Age:string::0", ColumnNames(plain));
        Assert.Equal("""["erie-canal","flomesh.io/erie-canal","<none>","5m"]""", Cells(plain));
        Assert.Equal("IngressParameters.k8s.example.com/external-lb", (string?)withParameters["rows"]![0]!["cells"]![2]);
    }
}
