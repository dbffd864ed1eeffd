namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary>Small manifests, shaped like the seed's httpbin, for tests that need their own namespace.</summary>
public static class Manifests
{
    public static string Httpbin(string ns, int replicas = 2) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {ns}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: httpbin
          namespace: {ns}
          labels:
            app: pipy
        spec:
          replicas: {replicas}
          selector:
            matchLabels:
              app: pipy
          template:
            metadata:
              labels:
                app: pipy
            spec:
              containers:
                - name: pipy
                  image: flomesh/pipy:latest
                  ports:
                    - containerPort: 8080
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: httpbin
          namespace: {ns}
        spec:
          ports:
            - port: 8080
              targetPort: 8080
          selector:
            app: pipy
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: {ns}
        data:
          greeting: hello
        """;

    public static string ConfigMap(string ns, string name, string value) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          namespace: {ns}
        data:
          a: "{value}"
        """;
}
