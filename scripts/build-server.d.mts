export declare const root: string;
export declare const out: string;
export declare function serverStamp(): Promise<string>;
export declare function haveServerSources(): Promise<boolean>;
export declare function serverUpToDate(stamp: string): Promise<boolean>;
export declare function buildServer(stamp: string): Promise<void>;
export declare function ensureServerBuilt(options?: { force?: boolean }): Promise<'built' | 'up to date' | 'no sources'>;
