// One column sample: an image when it is one (the server's PNG, or an image-shaped array drawn
// here), and always the array's dtype, shape and first values; bytes and text as they are.
import { ErrorNote } from './ErrorNote';
import { sample } from '../lib/api';
import { arrayToImage, isImageShape, parseNpy, type NpyArray } from '../lib/npy';
import type { ColumnSummary } from '../lib/types';
import { useLoad } from '../lib/use-load';

const SHOWN_VALUES = 64;

interface Shown {
  readonly image?: string;
  readonly array?: NpyArray;
  readonly text?: string;
  readonly size: number;
}

async function loadSample(column: ColumnSummary, key: string): Promise<Shown> {
  const wantsImage = column.kind === 'ndarray' && isImageShape(column.shape);
  const response = await sample(column.name, key, wantsImage);
  const type = response.headers.get('content-type') ?? '';
  const body = await response.arrayBuffer();
  if (type.startsWith('image/')) {
    const image = URL.createObjectURL(new Blob([body], { type }));
    // The PNG alone does not say the array's dtype and shape: fetch the array too.
    const array =
      column.kind === 'ndarray'
        ? parseNpy(await (await sample(column.name, key, false)).arrayBuffer())
        : undefined;
    return { image, array, size: body.byteLength };
  }
  if (column.kind === 'ndarray') {
    const array = parseNpy(body);
    return {
      array,
      image: isImageShape(array.shape) ? arrayToImage(array) : undefined,
      size: body.byteLength,
    };
  }
  if (column.kind === 'str') return { text: new TextDecoder().decode(body), size: body.byteLength };
  const hex = Array.from(new Uint8Array(body.slice(0, 256)), (b) => b.toString(16).padStart(2, '0')).join(
    ' ',
  );
  return { text: hex + (body.byteLength > 256 ? ' …' : ''), size: body.byteLength };
}

const valueText = (v: number | bigint | boolean) =>
  typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(6) : String(v);

export function SampleViewer({ column, sampleKey }: { column: ColumnSummary; sampleKey: string }) {
  const shown = useLoad(() => loadSample(column, sampleKey), [column.name, sampleKey]);
  const s = shown.value;
  return (
    <div className="sample-viewer">
      <h3>
        {column.name} / <code>{sampleKey}</code>
      </h3>
      <ErrorNote error={shown.error} />
      {s?.image && <img className="sample-image" src={s.image} alt={`sample ${sampleKey}`} />}
      {s?.array && (
        <dl className="array-info">
          <dt>dtype</dt>
          <dd className="dtype">{s.array.dtype}</dd>
          <dt>shape</dt>
          <dd className="shape">
            ({s.array.shape.join(', ')}){s.array.fortranOrder ? ' Fortran order' : ''}
          </dd>
          <dt>values</dt>
          <dd className="values">
            <code>
              [
              {Array.from({ length: Math.min(SHOWN_VALUES, s.array.values.length) }, (_, i) =>
                valueText(s.array!.values[i]!),
              ).join(', ')}
              {s.array.values.length > SHOWN_VALUES ? `, … ${s.array.values.length - SHOWN_VALUES} more` : ''}
              ]
            </code>
          </dd>
        </dl>
      )}
      {s?.text !== undefined && <pre className="sample-text">{s.text}</pre>}
    </div>
  );
}
