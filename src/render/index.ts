// The renderer's public surface: ChartPort implementations (in-thread and pooled) and their settings.
export { ChartRenderer, CHART_RANGES, rangeMs, type ChartRendererOptions, type RenderedChart } from './renderer.js';
export { RenderPool, RENDER_POOL_DEFAULTS, defaultPoolSize, alertChartKey, type RenderPoolOptions, type RenderPoolStats } from './pool.js';
export { PngCache } from './png-cache.js';
export { CHART_WIDTH, CHART_HEIGHT, type ChartLayout } from './chart.js';
export { PALETTES, DEFAULT_THEME, type Palette } from './theme.js';
export { FONT_FAMILY, registerChartFonts } from './fonts.js';
