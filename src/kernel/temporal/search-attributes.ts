import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes operators filter by in the Temporal UI. This file is imported by
 * workflow code, so it must stay free of Node built-ins. The dev-server script registers
 * every key listed in SEARCH_ATTRIBUTES (`--search-attribute Name=Type`).
 */
export const UserIdSearchAttribute = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const KycStatusSearchAttribute = defineSearchAttributeKey('KycStatus', SearchAttributeType.KEYWORD);
export const TradeStatusSearchAttribute = defineSearchAttributeKey('TradeStatus', SearchAttributeType.KEYWORD);
export const AmlCaseStatusSearchAttribute = defineSearchAttributeKey('AmlCaseStatus', SearchAttributeType.KEYWORD);

/** Name -> type as the Temporal CLI spells it. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime'> = {
  UserId: 'Keyword',
  KycStatus: 'Keyword',
  TradeStatus: 'Keyword',
  AmlCaseStatus: 'Keyword',
};
