// The parts of cornerstone-core 2.6 and cornerstone-wado-image-loader 4.13 this app uses; the
// packages ship no type declarations.
declare module 'cornerstone-core' {
  export interface CornerstoneImage {
    imageId: string;
    minPixelValue: number;
    maxPixelValue: number;
    slope: number;
    intercept: number;
    windowCenter: number | number[];
    windowWidth: number | number[];
    rows: number;
    columns: number;
    width: number;
    height: number;
    color: boolean;
    invert: boolean;
    columnPixelSpacing?: number;
    rowPixelSpacing?: number;
    sizeInBytes: number;
    /** Set by the loader from the Modality LUT Sequence (0028,3000). */
    modalityLUT?: { firstValueMapped: number; numBitsPerEntry: number; lut: number[] };
    voiLUT?: { firstValueMapped: number; numBitsPerEntry: number; lut: number[] };
    getPixelData(): ArrayLike<number>;
  }
  export interface Viewport {
    scale: number;
    translation: { x: number; y: number };
    voi: { windowWidth: number; windowCenter: number };
    invert: boolean;
    pixelReplication: boolean;
    rotation: number;
    hflip: boolean;
    vflip: boolean;
    modalityLUT?: unknown;
    voiLUT?: unknown;
  }
  export const metaData: { get(type: string, imageId: string): unknown };
  export interface EnabledElement {
    element: HTMLElement;
    canvas: HTMLCanvasElement;
    image?: CornerstoneImage;
    viewport?: Viewport;
  }
  export const EVENTS: { IMAGE_RENDERED: string; NEW_IMAGE: string; IMAGE_LOADED: string; IMAGE_LOAD_FAILED: string };
  export function enable(element: HTMLElement, options?: unknown): void;
  export function disable(element: HTMLElement): void;
  export function getEnabledElement(element: HTMLElement): EnabledElement;
  export function loadImage(imageId: string, options?: unknown): Promise<CornerstoneImage>;
  export function loadAndCacheImage(imageId: string, options?: unknown): Promise<CornerstoneImage>;
  export function displayImage(element: HTMLElement, image: CornerstoneImage, viewport?: Partial<Viewport>): void;
  export function getViewport(element: HTMLElement): Viewport | undefined;
  export function setViewport(element: HTMLElement, viewport: Partial<Viewport>): void;
  export function getDefaultViewportForImage(element: HTMLElement, image: CornerstoneImage): Viewport;
  export function fitToWindow(element: HTMLElement): void;
  export function reset(element: HTMLElement): void;
  export function resize(element: HTMLElement, forceFitToWindow?: boolean): void;
  export function pixelToCanvas(element: HTMLElement, pt: { x: number; y: number }): { x: number; y: number };
  export function canvasToPixel(element: HTMLElement, pt: { x: number; y: number }): { x: number; y: number };
  export function renderToCanvas(canvas: HTMLCanvasElement, image: CornerstoneImage): void;
  export function getDefaultViewport(canvas: HTMLCanvasElement, image: CornerstoneImage): Viewport;
  export function updateImage(element: HTMLElement, invalidated?: boolean): void;
  export const imageCache: { setMaximumSizeBytes(n: number): void; removeImageLoadObject(imageId: string): void; purgeCache(): void };
  const cornerstone: {
    EVENTS: typeof EVENTS;
    enable: typeof enable;
    disable: typeof disable;
    getEnabledElement: typeof getEnabledElement;
    loadImage: typeof loadImage;
    loadAndCacheImage: typeof loadAndCacheImage;
    displayImage: typeof displayImage;
    getViewport: typeof getViewport;
    setViewport: typeof setViewport;
    getDefaultViewportForImage: typeof getDefaultViewportForImage;
    getDefaultViewport: typeof getDefaultViewport;
    fitToWindow: typeof fitToWindow;
    reset: typeof reset;
    resize: typeof resize;
    pixelToCanvas: typeof pixelToCanvas;
    canvasToPixel: typeof canvasToPixel;
    renderToCanvas: typeof renderToCanvas;
    updateImage: typeof updateImage;
    imageCache: typeof imageCache;
    metaData: typeof metaData;
  };
  export default cornerstone;
}

declare module 'cornerstone-wado-image-loader' {
  const loader: {
    external: { cornerstone: unknown; dicomParser: unknown };
    configure(options: { useWebWorkers?: boolean; decodeConfig?: Record<string, unknown>; beforeSend?: (xhr: XMLHttpRequest) => void }): void;
    webWorkerManager: {
      initialize(config: { maxWebWorkers?: number; startWebWorkersOnDemand?: boolean; taskConfiguration?: Record<string, unknown> }): void;
    };
    wadouri: {
      dataSetCacheManager: { unload(uri: string): void; purge(): void };
    };
  };
  export default loader;
}
