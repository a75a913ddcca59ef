import { html, type Html } from './html';

export interface DataTable<T> {
  /** Read by screen readers; shown only when `showCaption`. */
  caption: string;
  showCaption?: boolean;
  id?: string;
  columns: string[];
  items: readonly T[];
  row: (item: T) => Html;
  /** Said instead of an empty table. */
  empty: string;
}

/**
 * The console's one table shape: a caption, column headers with scope, one row per item, in a
 * horizontally scrolling box on narrow screens; a sentence instead when there is nothing to list.
 */
export function dataTable<T>(t: DataTable<T>): Html {
  if (!t.items.length) return html`<p class="empty">${t.empty}</p>`;
  return html`<div class="scroll">
    <table${t.id ? html` id="${t.id}"` : ''}>
      <caption${t.showCaption ? '' : html` class="sr-only"`}>${t.caption}</caption>
      <thead>
        <tr>
          ${t.columns.map((c) => html`<th scope="col">${c}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${t.items.map(t.row)}
      </tbody>
    </table>
  </div>`;
}
