import { AssetTree } from '../components/AssetTree';
import { ErrorNote } from '../components/ErrorNote';
import { LineageDiagram } from '../components/LineageDiagram';
import { assetGraph, lineageGraph } from '../lib/api';
import { useLoad } from '../lib/use-load';

/** Graph: the assets of the ingress tree by validity, and the lineage steps. */
export function GraphTab() {
  const assets = useLoad(assetGraph, []);
  const lineage = useLoad(lineageGraph, []);
  return (
    <section className="graph-tab">
      <h2>Assets</h2>
      <ErrorNote error={assets.error} />
      {assets.value && <AssetTree root={assets.value} />}
      <h2>Lineage</h2>
      <ErrorNote error={lineage.error} />
      {lineage.value &&
        (lineage.value.nodes.length === 0 ? (
          <p className="muted">No lineage steps recorded (strata run, or createStep in the library).</p>
        ) : (
          <LineageDiagram graph={lineage.value} />
        ))}
    </section>
  );
}
