// One column sample: an image when it is one (the server's PNG, or an image-shaped array drawn
// here), and always the array's dtype, shape and first values; bytes and text as they are.
import { ErrorNote } from './ErrorNote';
import { sample } from '../lib/api';
import { arrayToImage, isImageShape, parseNpy, type NpyArray } from '../lib/npy';
import type { ColumnSchema } from '../lib/types';
import { useLoad } from '../lib/use-load';

const SHOWN_VALUES = 64;

interface Shown {
  readonly image?: string;
  readonly array?: NpyArray;
  readonly text?: string;
  readonly size: number;
}

async function loadSample(schema: ColumnSchema, key: string): Promise<Shown> {
  const wantsImage = schema.kind === 'ndarray' && isImageShape(schema.shape);
  const response = await sample(schema.name, key, wantsImage ? 'png' : 'npy');
  const type = response.headers.get('content-type') ?? '';
  const body = await response.arrayBuffer();
  if (type.startsWith('image/')) {
    const image = URL.createObjectURL(new Blob([body], { type }));
    // The PNG alone does not say the array's dtype and shape: fetch the array too.
    const array = parseNpy(await (await sample(schema.name, key, 'npy')).arrayBuffer());
    return { image, array, size: body.byteLength };
  }
  if (type.includes('json')) return { text: new TextDecoder().decode(body), size: body.byteLength };
  if (schema.kind === 'ndarray') {
    const array = parseNpy(body);
    const image = isImageShape(array.shape) ? arrayToImage(array) : undefined;
    return { array, image, size: body.byteLength };
  }
  if (schema.kind === 'str') return { text: new TextDecoder().decode(body), size: body.byteLength };
  const head = Array.from(new Uint8Array(body.slice(0, 256)), (b) => b.toString(16).padStart(2, '0'));
  return { text: head.join(' ') + (body.byteLength > 256 ? ' …' : ''), size: body.byteLength };
}

const valueText = (v: number | bigint | boolean) =>
  typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(6) : String(v);

export function SampleViewer({ column, sampleKey }: { column: ColumnSchema; sampleKey: string }) {
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
