namespace ResNetSharp.Search;

/// <summary>Settings of an index's HNSW graph; 0 keeps USearch's default.</summary>
/// <param name="Connectivity">Neighbours per node (M in the HNSW paper; USearch's default 16). Fixed when the index is created.</param>
/// <param name="ExpansionAdd">Candidates considered when inserting (efConstruction; default 128).</param>
/// <param name="ExpansionSearch">Candidates considered when searching (ef; default 64): higher finds more true neighbours, more slowly. Stored with the index.</param>
public sealed record ImageIndexOptions(int Connectivity = 0, int ExpansionAdd = 0, int ExpansionSearch = 0);
