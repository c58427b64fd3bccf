import type { ChartTheme } from '../engine/index.js';

/** Every colour a chart uses. Opaque `#rrggbb` unless the name says otherwise, so tests can find them. */
export interface Palette {
  background: string;
  /** Header text and the alert callout's text. */
  text: string;
  /** Axis labels and the header's second line. */
  muted: string;
  grid: string;
  /** The main price line (composite, or the alerting venue). */
  price: string;
  /** Other venues' lines, in order, when venues disagree. */
  venues: readonly string[];
  up: string;
  down: string;
  /** Volume bars: up bars, down bars (muted, the price is the story). */
  volumeUp: string;
  volumeDown: string;
  /** The anomaly window's fill: opaque, drawn under grid and data. */
  highlight: string;
  /** The edge of the anomaly window. */
  highlightEdge: string;
  /** A stretch with no data. */
  gap: string;
  /** The callout box behind the change text. */
  calloutBackground: string;
}

const DARK: Palette = {
  background: '#0f141a',
  text: '#eef2f6',
  muted: '#9aa7b4',
  grid: '#232c36',
  price: '#4da3ff',
  venues: ['#f5b942', '#c98bff', '#4fd1c5', '#ff8fa3', '#a3e635', '#fb923c', '#94a3b8'],
  up: '#22c55e',
  down: '#f43f5e',
  volumeUp: '#1f5a3a',
  volumeDown: '#6a2633',
  highlight: '#2d2812',
  highlightEdge: '#8a7420',
  gap: '#161c23',
  calloutBackground: '#1b232d',
};

const LIGHT: Palette = {
  background: '#ffffff',
  text: '#111827',
  muted: '#5b6675',
  grid: '#e6e9ee',
  price: '#1d6fd8',
  venues: ['#d97706', '#8b5cf6', '#0f9f8f', '#db2777', '#65a30d', '#ea580c', '#64748b'],
  up: '#15994a',
  down: '#dc2640',
  volumeUp: '#a7dcbc',
  volumeDown: '#f1b4be',
  highlight: '#fdf3c8',
  highlightEdge: '#d4a514',
  gap: '#f3f4f6',
  calloutBackground: '#f8fafc',
};

export const PALETTES: Readonly<Record<ChartTheme, Palette>> = { dark: DARK, light: LIGHT };

/** The default theme: charts are mostly read in dark chat clients. */
export const DEFAULT_THEME: ChartTheme = 'dark';

export function paletteFor(theme: ChartTheme | undefined): Palette {
  return PALETTES[theme ?? DEFAULT_THEME] ?? PALETTES[DEFAULT_THEME];
}
