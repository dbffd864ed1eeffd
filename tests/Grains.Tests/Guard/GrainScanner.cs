using System.Reflection.Emit;
using System.Reflection;
using System.Runtime.CompilerServices;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;

namespace ErieCanal.Orleans.Grains.Tests.Guard;

/// <summary>
/// Reads a grain class as compiled: its fields, constructor parameters and locals, and every call, object creation
/// and type or field reference in its IL, its nested compiler-generated types included (async state machines hold an
/// awaited call's locals as fields; lambdas live in closure classes). What a grain must not touch: the Kubernetes
/// client, the member and control-plane connections, anything that leaves its scheduler or blocks it, and state
/// shared between threads.
/// </summary>
internal static class GrainScanner
{
    private static readonly Assembly KubernetesClient = typeof(k8s.IKubernetes).Assembly;
    private static readonly Type[] Connections = [typeof(MemberClients), typeof(ControlPlaneConnection)];
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every class deriving from Orleans' Grain in <paramref name="assembly"/>.</summary>
    public static IReadOnlyList<Type> Grains(Assembly assembly) =>
        [.. assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract && typeof(Grain).IsAssignableFrom(t))];

    /// <summary>What <paramref name="grain"/> (and the types nested in it) must not do, one line per offence.</summary>
    public static IReadOnlyList<string> Offences(Type grain) =>
        [.. WithNested(grain).SelectMany(TypeOffences).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static IEnumerable<Type> WithNested(Type type) =>
        new[] { type }.Concat(type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(WithNested));

    private static IEnumerable<string> TypeOffences(Type type)
    {
        foreach (var field in type.GetFields(Declared))
        {
            if (Forbidden(field.FieldType))
            {
                yield return $"{Source(field)}: holds a {Name(field.FieldType)}";
            }

            // State shared between threads has no place in a grain, whose turns never overlap.
            if (field.FieldType.Namespace == typeof(System.Collections.Concurrent.ConcurrentDictionary<,>).Namespace
                || field.GetRequiredCustomModifiers().Contains(typeof(IsVolatile)))
            {
                yield return $"{Source(field)}: shares state between threads ({Name(field.FieldType)})";
            }
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            foreach (var parameter in method.GetParameters().Where(p => Forbidden(p.ParameterType)))
            {
                yield return $"{Source(method)}: takes a {Name(parameter.ParameterType)}";
            }

            if (method.GetMethodBody() is not { } body)
            {
                continue;
            }

            foreach (var local in body.LocalVariables.Where(l => Forbidden(l.LocalType)))
            {
                yield return $"{Source(method)}: holds a {Name(local.LocalType)}";
            }

            foreach (var reference in References(method, body.GetILAsByteArray() ?? []))
            {
                if (Offence(reference) is { } offence)
                {
                    yield return $"{Source(method)}: {offence}";
                }
            }
        }
    }

    /// <summary>
    /// The source member a compiled one comes from, stable across edits: <c>&lt;Remove&gt;d__12.MoveNext</c> and
    /// <c>&lt;Remove&gt;b__12_0</c> are Remove; a primary constructor's captured <c>&lt;clients&gt;P</c> is clients.
    /// </summary>
    private static string Source(MemberInfo member)
    {
        var name = member.Name;
        if ((member is FieldInfo || name == "MoveNext") && member.DeclaringType is { Name: ['<', _, ..] } generated && !generated.Name.StartsWith("<>", StringComparison.Ordinal))
        {
            name = generated.Name;
        }
        else if (member is FieldInfo && member.DeclaringType is { Name: ['<', '>', ..] })
        {
            return "a lambda's closure";
        }

        return name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end ? name[1..end] : name;
    }

    private static string? Offence(MemberInfo reference) => reference switch
    {
        MethodBase m when Leaves(m) is { } leaves => leaves,

        // The awaiters and builders of an awaited call are the call's plumbing, reported as the call itself.
        MethodBase m when m.DeclaringType?.Namespace?.StartsWith("System", StringComparison.Ordinal) == true => null,
        MethodBase m when Forbidden(m.DeclaringType) || (m is MethodInfo i && Forbidden(i.ReturnType)) || m.GetParameters().Any(p => Forbidden(p.ParameterType)) =>
            $"calls {Name(m.DeclaringType)}.{m.Name}",
        FieldInfo f when f.DeclaringType?.Assembly == KubernetesClient => $"uses {Name(f.DeclaringType)}.{f.Name}",
        Type t when t.Assembly == KubernetesClient => $"uses {Name(t)}",
        _ => null,
    };

    /// <summary>A call that starts work off the grain's scheduler or blocks it, with why.</summary>
    private static string? Leaves(MethodBase method)
    {
        var type = method.DeclaringType;
        return type is null ? null
            : type == typeof(Task) && method.Name == nameof(Task.Run) ? "calls Task.Run"
            : type == typeof(TaskFactory) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(TaskFactory<>)) ? $"calls TaskFactory.{method.Name}"
            : type == typeof(ThreadPool) ? $"calls ThreadPool.{method.Name}"
            : type == typeof(Thread) && method.IsConstructor ? "creates a Thread"
            : type == typeof(Parallel) ? $"calls Parallel.{method.Name}"
            : type == typeof(Monitor) && method.Name is nameof(Monitor.Enter) or nameof(Monitor.TryEnter) ? $"locks (Monitor.{method.Name})"
            : type == typeof(Lock) && method.Name is nameof(Lock.Enter) or nameof(Lock.EnterScope) or nameof(Lock.TryEnter) ? $"locks (Lock.{method.Name})"
            : null;
    }

    /// <summary>The methods, fields and types the IL refers to, read instruction by instruction.</summary>
    private static IEnumerable<MemberInfo> References(MethodBase method, byte[] il)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            if (opCode.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, at);
                var member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                if (member is not null)
                {
                    yield return member;
                }
            }

            at += opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
                _ => 4,
            };
        }
    }

    /// <summary>A type from the Kubernetes client, a connection, or built from one (Task&lt;IKubernetes&gt;, arrays).</summary>
    private static bool Forbidden(Type? type) =>
        type is not null && (type.Assembly == KubernetesClient || Connections.Contains(type)
            || (type.HasElementType && Forbidden(type.GetElementType()))
            || (type.IsGenericType && !type.IsGenericTypeDefinition && type.GetGenericArguments().Any(Forbidden)));

    private static string Name(Type? type) => type is null ? "?" : type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>"
        : type.Name;
}
