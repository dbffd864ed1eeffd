using Xunit;
using static ErieCanal.Orleans.Sandbox.Tests.Printing.TableAssert;

namespace ErieCanal.Orleans.Sandbox.Tests.Printing;

public sealed class BuiltInTableTests
{
    private static readonly string Created = Ago(TimeSpan.FromMinutes(5));

    [Fact]
    public void Pod_prints_ready_status_restarts_and_wide_columns()
    {
        var table = Table("", "Pod", $$$"""
            {"metadata":{"name":"pipy-0","creationTimestamp":"{{{Created}}}"},
             "spec":{"nodeName":"node-1","containers":[{"name":"pipy"},{"name":"sidecar"}],
                     "readinessGates":[{"conditionType":"example.io/ready"}]},
             "status":{"phase":"Running","podIP":"10.1.0.5","podIPs":[{"ip":"10.1.0.5"}],
                       "conditions":[{"type":"Ready","status":"True"},{"type":"example.io/ready","status":"True"}],
                       "containerStatuses":[
                         {"name":"pipy","ready":true,"restartCount":2,"state":{"running":{}},
                          "lastState":{"terminated":{"exitCode":1,"finishedAt":"{{{Ago(TimeSpan.FromSeconds(90))}}}"}} },
                         {"name":"sidecar","ready":true,"restartCount":0,"state":{"running":{}} }]} }
            """);

        Assert.Equal("Name:string:name:0|Ready:string::0|Status:string::0|Restarts:string::0|Age:string::0|IP:string::1|Node:string::1|Nominated Node:string::1|Readiness Gates:string::1",
            ColumnNames(table));
        Assert.Equal("""["pipy-0","2/2","Running","2 (90s ago)","5m","10.1.0.5","node-1","<none>","1/1"]""", Cells(table));
    }

    [Theory]
    [InlineData("""{"phase":"Pending","containerStatuses":[{"name":"c","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ImagePullBackOff"}}}]}""", "0/1", "ImagePullBackOff")]
    [InlineData("""{"phase":"Running","containerStatuses":[{"name":"c","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":137}}}]}""", "0/1", "ExitCode:137")]
    [InlineData("""{"phase":"Pending","initContainerStatuses":[{"name":"init","restartCount":0,"state":{"running":{}}}]}""", "0/1", "Init:0/1")]
    [InlineData("""{"phase":"Pending"}""", "0/1", "Pending")]
    public void Pod_status_follows_container_states(string status, string ready, string reason)
    {
        var table = Table("", "Pod", $$$"""
            {"metadata":{"name":"p","creationTimestamp":"{{{Created}}}"},
             "spec":{"initContainers":[{"name":"init"}],"containers":[{"name":"c"}]},"status":{{{status}}}}
            """);
        var cells = table["rows"]![0]!["cells"]!;

        Assert.Equal(ready, (string?)cells[1]);
        Assert.Equal(reason, (string?)cells[2]);
    }

    [Fact]
    public void Deleting_pod_is_terminating_and_succeeded_pod_has_completed_condition()
    {
        var deleting = Table("", "Pod", """{"metadata":{"name":"p","deletionTimestamp":"2024-05-01T11:59:00Z"},"spec":{"containers":[{"name":"c"}]},"status":{"phase":"Running"}}""");
        var done = Table("", "Pod", """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},"status":{"phase":"Succeeded"}}""");

        Assert.Equal("Terminating", (string?)deleting["rows"]![0]!["cells"]![2]);
        Assert.Equal("Completed", (string?)done["rows"]![0]!["conditions"]![0]!["type"]);
    }

    [Fact]
    public void Service_prints_type_ips_ports_and_selector()
    {
        var table = Table("", "Service", $$$"""
            {"metadata":{"name":"pipy","creationTimestamp":"{{{Created}}}"},
             "spec":{"type":"NodePort","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],"selector":{"app":"pipy","tier":"edge"},
                     "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":8080}]}}
            """);

        Assert.Equal("Name:string:name:0|Type:string::0|Cluster-IP:string::0|External-IP:string::0|Port(s):string::0|Age:string::0|Selector:string::1",
            ColumnNames(table));
        Assert.Equal("""["pipy","NodePort","10.96.0.10","<none>","80:30080/TCP,8080/TCP","5m","app=pipy,tier=edge"]""", Cells(table));
    }

    [Fact]
    public void Load_balancer_without_ingress_is_pending()
    {
        var table = Table("", "Service", """{"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIP":"None"}}""");
        var cells = table["rows"]![0]!["cells"]!;

        Assert.Equal("None", (string?)cells[2]);
        Assert.Equal("<pending>", (string?)cells[3]);
        Assert.Equal("<none>", (string?)cells[4]);
        Assert.Equal("<none>", (string?)cells[6]);
    }

    [Fact]
    public void Deployment_prints_ready_ratio_counts_and_template()
    {
        var table = Table("apps", "Deployment", $$$"""
            {"metadata":{"name":"pipy","creationTimestamp":"{{{Created}}}"},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"pipy"},"matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]}]},
                     "template":{"spec":{"containers":[{"name":"pipy","image":"flomesh/pipy:1.0"},{"name":"log","image":"busybox"}]}} },
             "status":{"readyReplicas":1,"updatedReplicas":2,"availableReplicas":1}}
            """);

        Assert.Equal("Name:string:name:0|Ready:string::0|Up-to-date:string::0|Available:string::0|Age:string::0|Containers:string::1|Images:string::1|Selector:string::1",
            ColumnNames(table));
        Assert.Equal("""["pipy","1/2",2,1,"5m","pipy,log","flomesh/pipy:1.0,busybox","app=pipy,env in (dev,prod)"]""", Cells(table));
    }

    [Theory]
    [InlineData("""[]""", "<none>")]
    [InlineData("""[{"addresses":[{"ip":"10.1.0.5"},{"ip":"10.1.0.6"}],"ports":[{"port":8080}]}]""", "10.1.0.5:8080,10.1.0.6:8080")]
    [InlineData("""[{"addresses":[{"ip":"10.1.0.5"},{"ip":"10.1.0.6"},{"ip":"10.1.0.7"}],"ports":[{"port":80},{"port":443}]}]""",
        "10.1.0.5:80,10.1.0.6:80,10.1.0.7:80 + 3 more...")]
    [InlineData("""[{"addresses":[{"ip":"fd00::1"}],"ports":[{"port":80}]}]""", "[fd00::1]:80")]
    [InlineData("""[{"addresses":[{"ip":"10.1.0.5"}]}]""", "10.1.0.5")]
    public void Endpoints_are_listed_up_to_three(string subsets, string expected)
    {
        var table = Table("", "Endpoints", $$$"""{"metadata":{"name":"pipy","creationTimestamp":"{{{Created}}}"},"subsets":{{{subsets}}}}""");

        Assert.Equal("Name:string:name:0|Endpoints:string::0|Age:string::0", ColumnNames(table));
        Assert.Equal(expected, (string?)table["rows"]![0]!["cells"]![1]);
    }

    [Fact]
    public void Endpoint_slice_prints_address_type_ports_and_addresses()
    {
        var table = Table("discovery.k8s.io", "EndpointSlice", $$$"""
            {"metadata":{"name":"pipy-abc","creationTimestamp":"{{{Created}}}"},"addressType":"IPv4",
             "ports":[{"name":"http","port":8080}],
             "endpoints":[{"addresses":["10.1.0.5"]},{"addresses":["10.1.0.6"]},{"addresses":["10.1.0.7"]},{"addresses":["10.1.0.8"]}]}
            """);

        Assert.Equal("""["pipy-abc","IPv4","8080","10.1.0.5,10.1.0.6,10.1.0.7 + 1 more...","5m"]""", Cells(table));
    }

    [Fact]
    public void Event_object_column_and_wide_columns()
    {
        var table = Table("", "Event", $$$"""
            {"metadata":{"name":"pipy.17a"},"type":"Normal","reason":"Started","message":" Started container ",
             "involvedObject":{"kind":"Pod","name":"pipy-0","fieldPath":"spec.containers{pipy}"},
             "source":{"component":"kubelet","host":"node-1"},"count":3,
             "firstTimestamp":"{{{Ago(TimeSpan.FromHours(1))}}}","lastTimestamp":"{{{Created}}}"}
            """);

        Assert.Equal("Last Seen|Type|Reason|Object|Subobject|Source|Message|First Seen|Count|Name",
            string.Join("|", table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"])));
        Assert.Equal("""["5m","Normal","Started","pod/pipy-0","spec.containers{pipy}","kubelet, node-1","Started container","60m",3,"pipy.17a"]""", Cells(table));
    }

    [Fact]
    public void Simple_kinds_print_their_columns()
    {
        var meta = $"\"metadata\":{{\"name\":\"x\",\"creationTimestamp\":\"{Created}\"}}";

        Assert.Equal("""["x","Active","5m"]""", Cells(Table("", "Namespace", $$$"""{{{{meta}}},"status":{"phase":"Active"}}""")));
        Assert.Equal("""["x",3,"5m"]""", Cells(Table("", "ConfigMap", $$$"""{{{{meta}}},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}}""")));
        Assert.Equal("""["x","kubernetes.io/tls",2,"5m"]""", Cells(Table("", "Secret", $$$"""{{{{meta}}},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}}""")));
        Assert.Equal("""["x","node-1_abc","5m"]""", Cells(Table("coordination.k8s.io", "Lease", $$$"""{{{{meta}}},"spec":{"holderIdentity":"node-1_abc"}}""")));

        var crd = Table("apiextensions.k8s.io", "CustomResourceDefinition", """{"metadata":{"name":"gateways.example.io","creationTimestamp":"2024-04-30T10:00:00.123Z"}}""");
        Assert.Equal("Name:string:name:0|Created At:date::0", ColumnNames(crd));
        Assert.Equal("""["gateways.example.io","2024-04-30T10:00:00Z"]""", Cells(crd));
    }
}
