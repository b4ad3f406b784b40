export declare const root: string;
export declare const out: string;
export declare const stampFile: string;
export declare function sourceStamp(): Promise<string>;
export declare function upToDate(stamp: string): Promise<boolean>;
export declare function ensureClientBuilt(): Promise<number>;
