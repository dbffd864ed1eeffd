namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>What one committed change of a ServiceImport touched, told apart from its before and after.</summary>
public enum ImportWriteKind
{
    /// <summary>The object appeared.</summary>
    Create,

    /// <summary>A write of the main resource that changed the spec (apply, patch or update).</summary>
    Spec,

    /// <summary>A write of the main resource that changed labels, annotations, finalizers or owners but not the spec.</summary>
    Metadata,

    /// <summary>A change of the status alone: a write of the status subresource.</summary>
    Status,

    /// <summary>A change of nothing but server bookkeeping (managedFields).</summary>
    Bookkeeping,

    /// <summary>The object went.</summary>
    Delete,
}
